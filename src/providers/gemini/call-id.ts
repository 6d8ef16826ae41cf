/**
 * Tool-call ids for Gemini's function calls. Gemini gives calls no id (or one of its own) and,
 * from Gemini 3, a `thoughtSignature` that must come back with the call on the next turn, or the
 * turn is refused. The signature rides inside the id the caller sees (base64url, so the id stays
 * in the `[A-Za-z0-9_-]` alphabet every client accepts) and is put back when the call returns.
 */

const SIGNATURE = "__sig_";

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const toBase64Url = (s: string) => s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (s: string) => {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  return b64 + "=".repeat((4 - (b64.length % 4)) % 4);
};

/** The id a caller sees for a Gemini function call: unique across turns, carrying its signature. */
export function callIdOf(geminiId: unknown, signature: unknown): string {
  const base = typeof geminiId === "string" && /^[A-Za-z0-9_-]+$/.test(geminiId) && !geminiId.includes(SIGNATURE) ? geminiId : `call_${randomSuffix()}`;
  return typeof signature === "string" && signature ? `${base}${SIGNATURE}${toBase64Url(signature)}` : base;
}

/** The thought signature a call id carries, if any (base64, as Gemini sent it). */
export function signatureOf(id: string): string | undefined {
  const at = id.indexOf(SIGNATURE);
  return at === -1 ? undefined : fromBase64Url(id.slice(at + SIGNATURE.length));
}
