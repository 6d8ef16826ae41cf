/**
 * The `providers` section of a config document: the providers stored through the admin API, each
 * in the words `POST /api/providers` takes (configured providers stay in gateway.yaml and
 * PROVIDERS; users' own keys are theirs). No secret is ever written: a credential kept as a
 * Worker secret's name is written as its `${NAME}` reference, a sealed one as "(sealed)", which an
 * import reads as "keep the key this gateway stores for that provider" (refused where there is none).
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import { withoutCredentials } from "../core/upstream-url.ts";
import { atPath, parseInput } from "../core/validate.ts";
import { listProviderRows } from "../db/providers.ts";
import type { StoredKey } from "../db/schema.ts";
import { SEALED_CREDENTIAL, baseUrlOf, modelEntryOf, normaliseModels, optionsOf, providerDefinition, type ProviderDefinition, type ProviderLimits, type ProviderOptions } from "../providers/definition.ts";
import { rowKeys, rowLimits, rowModels, typeFields } from "../providers/provider-view.ts";
import { KEPT, assertNamesFree, assertUsableHere, changeStatements, type ProviderChange, type StoredProvider } from "../providers/stored-providers.ts";
import { configSection, sameValue, type ConfigChange } from "./section.ts";

const CREDENTIAL_FIELDS = ["api_key", "token", "password"] as const;

/** Reads "(sealed)" as KEPT, the stand-in for a stored credential, before the definition is checked. */
function sealedAsKept(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const entry: Record<string, unknown> = { ...raw };
  for (const field of CREDENTIAL_FIELDS) if (entry[field] === SEALED_CREDENTIAL) entry[field] = KEPT;
  if (Array.isArray(entry.keys)) entry.keys = entry.keys.map((k: unknown) => (k && typeof k === "object" && (k as Record<string, unknown>).api_key === SEALED_CREDENTIAL ? { ...k, api_key: KEPT } : k));
  return entry;
}

/** One provider of a document: a definition whose credentials may be "(sealed)". */
const documentProvider = z.preprocess(sealedAsKept, providerDefinition);

const limitsEntry = (l: ProviderLimits) => ({ max_concurrency: l.max_concurrency, ...(l.rpm !== undefined ? { rpm: l.rpm } : {}), ...(l.tpm !== undefined ? { tpm: l.tpm } : {}) });

/** A definition as a document writes it: one field order, the base URL spelled out, models short where they can be, KEPT as "(sealed)". */
function entryOf(def: ProviderDefinition) {
  const written = (value: string | undefined) => (value === KEPT ? SEALED_CREDENTIAL : value);
  return {
    name: def.name,
    type: def.type,
    base_url: baseUrlOf(def),
    ...(def.api_key !== undefined ? { api_key: written(def.api_key) } : {}),
    ...(def.keys ? { keys: def.keys.map((k) => ({ name: k.name, ...(k.api_key !== undefined ? { api_key: written(k.api_key) } : {}), ...(k.limits ? { limits: limitsEntry(k.limits) } : {}) })) } : {}),
    limits: limitsEntry(def.limits),
    models: normaliseModels(def.models).map(modelEntryOf),
    ...(def.overrides ? { overrides: def.overrides } : {}),
    ...typeFields(optionsOf(def)),
    ...(def.token !== undefined ? { token: written(def.token) } : {}),
    ...(def.password !== undefined ? { password: written(def.password) } : {}),
  };
}

/** How a stored credential is written: its secret's reference, "(sealed)", or nothing. */
function writtenCredential(k: StoredKey): string | undefined {
  return k.secret ? `\${${k.secret}}` : k.ciphertext ? SEALED_CREDENTIAL : undefined;
}

/** A stored provider as a document entry. */
function storedEntry({ row, models }: StoredProvider) {
  const options = typeFields(row.options as ProviderOptions);
  const single = row.keys ? undefined : writtenCredential(rowKeys(row)[0]!);
  const field = row.type === "token-auth" ? (options.auth_url ? "password" : "token") : "api_key";
  const raw = {
    name: row.name,
    type: row.type,
    base_url: withoutCredentials(row.baseUrl),
    ...(single ? { [field]: single } : {}),
    ...(row.keys ? { keys: row.keys.map((k) => ({ name: k.name, ...(writtenCredential(k) ? { api_key: writtenCredential(k) } : {}), ...(k.limits ? { limits: k.limits } : {}) })) } : {}),
    limits: rowLimits(row),
    models: rowModels(models).map(modelEntryOf),
    ...(row.overrides ? { overrides: row.overrides } : {}),
    ...options,
  };
  // Read back through the import's own schema, so export and import write one form.
  return entryOf(parseInput(documentProvider, raw));
}

/** A 400 naming the field when a "(sealed)" credential has no stored key to stand for. */
function assertKeptExist(def: ProviderDefinition, current: StoredProvider | undefined, at: string): void {
  const slots: [string, string, string | undefined][] = [
    ...CREDENTIAL_FIELDS.map((f): [string, string, string | undefined] => [f, "default", def[f]]),
    ...(def.keys ?? []).map((k, i): [string, string, string | undefined] => [`keys.${i}.api_key`, k.name, k.api_key]),
  ];
  for (const [field, keyName, value] of slots) {
    if (value !== KEPT) continue;
    const stored = current ? rowKeys(current.row).find((k) => k.name === keyName) : undefined;
    if (stored?.ciphertext || stored?.secret) continue;
    const why = current ? `provider '${def.name}' has no stored key${keyName === "default" ? "" : ` '${keyName}'`}` : `no provider '${def.name}' is stored here`;
    throw new GatewayError("invalid_request", `${at}.${field}: '${SEALED_CREDENTIAL}' keeps a key this gateway stores, but ${why}: give the key itself or a \${SECRET} reference`, { param: `${at}.${field}`, code: "sealed_key_missing" });
  }
}

export const providersSection = configSection({
  key: "providers",
  schema: z.array(documentProvider).max(500),
  async read(_env, db) {
    return (await listProviderRows(db)).filter((s) => !s.row.ownerUserId).map(storedEntry);
  },
  async plan({ env, db, mode }, defs) {
    const stored = await listProviderRows(db);
    const byName = new Map(stored.filter((s) => !s.row.ownerUserId).map((s) => [s.row.name, s]));
    const changes: ProviderChange[] = [];
    const report: ConfigChange[] = [];
    const note = (name: string, action: ConfigChange["action"]) => report.push({ section: "providers", name, action });
    for (const [i, def] of defs.entries()) {
      const at = `providers.${i}`;
      const first = defs.findIndex((d) => d.name === def.name);
      if (first !== i) throw new GatewayError("invalid_request", `${at}.name: '${def.name}' is also providers.${first}`, { param: `${at}.name`, code: "invalid_value" });
      await atPath(at, () => assertUsableHere(env, def));
      const current = byName.get(def.name);
      assertKeptExist(def, current, at);
      if (!current) {
        changes.push({ op: "create", id: crypto.randomUUID(), def, at });
        note(def.name, "create");
      } else if (sameValue(entryOf(def), storedEntry(current))) {
        note(def.name, "unchanged");
      } else {
        changes.push({ op: "update", current, def, at });
        note(def.name, "update");
      }
    }
    if (mode === "replace") {
      for (const current of byName.values()) {
        if (defs.some((d) => d.name === current.row.name)) continue;
        changes.push({ op: "delete", current });
        note(current.row.name, "delete");
      }
    }
    assertNamesFree(
      stored.map((s) => ({ id: s.row.id, name: s.row.name })),
      changes,
    );
    return { changes: report, statements: await changeStatements(env, db, changes) };
  },
});
