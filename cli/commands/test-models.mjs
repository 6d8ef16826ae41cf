/** `test [model]`: one small call to each model (`POST /v1/models/{name}/test`), a line per model, exit 1 if any failed. */
import { excerpt } from "../format.mjs";
import { GatewayCallError } from "../gateway-client.mjs";
import { progressLine } from "../progress.mjs";

/**
 * One model's outcome, as `--json` prints it.
 * @typedef {{ model: string; ok: boolean; status: number | null; latency_ms: number; answer: string | null; error: { message: string; code: string | null } | null; request_id: string | null }} ModelTest
 */

/** A model id in a path: slashes stay (ids like "meta-llama/Llama-3.1-8B"), the rest is escaped. */
const pathOf = (/** @type {string} */ model) => model.split("/").map(encodeURIComponent).join("/");

/**
 * @param {import("../gateway-client.mjs").GatewayClient} client
 * @param {string} model
 * @param {string | undefined} message
 * @param {() => number} now
 * @returns {Promise<ModelTest>}
 */
async function testOne(client, model, message, now) {
  const startedAt = now();
  try {
    const { body, requestId } = await client.json("POST", `/v1/models/${pathOf(model)}/test`, message === undefined ? undefined : { test_message: message });
    return { model, ok: body.ok === true, status: body.status ?? null, latency_ms: body.latency_ms ?? now() - startedAt, answer: body.answer ?? null, error: body.error ?? null, request_id: requestId };
  } catch (error) {
    // The gateway refused the test itself (an unknown model, a key not allowed it): that model failed.
    if (!(error instanceof GatewayCallError) || error.status === undefined) throw error;
    return { model, ok: false, status: error.status, latency_ms: now() - startedAt, answer: null, error: { message: error.message, code: error.code }, request_id: error.requestId };
  }
}

/**
 * `[2/4] sim-large  ok    212 ms  tok1 tok2 tok3`, or the failure with its request id.
 * @param {string} counter
 * @param {string} model  already padded
 * @param {ModelTest} t
 */
export function resultLine(counter, model, t) {
  const ms = `${String(t.latency_ms).padStart(5)} ms`;
  if (t.ok) return `${counter} ${model}  ok    ${ms}  ${excerpt(t.answer ?? "")}\n`.replace(/ +\n$/, "\n");
  const what = [t.status, t.error?.code].filter(Boolean).join(" ");
  const id = t.request_id ? ` (request id ${t.request_id})` : "";
  return `${counter} ${model}  FAIL  ${ms}  ${what}: ${t.error?.message ?? "no answer"}${id}\n`;
}

/** @param {import("../main.mjs").CommandInput} input */
export async function testModels({ client, positionals, flags, io }) {
  /** @type {string[]} */
  const names = positionals.length > 0 ? positionals : (await client.json("GET", "/v1/models")).body.data.map((/** @type {{ id: string }} */ m) => m.id);
  if (names.length === 0) throw new GatewayCallError("no models to test: the gateway has no provider this key may use");
  const width = Math.max(...names.map((n) => n.length));
  const progress = progressLine(io.err, io.env);
  /** @type {ModelTest[]} */
  const results = [];
  for (const [i, name] of names.entries()) {
    const counter = `[${i + 1}/${names.length}]`;
    progress.show(`${counter} testing ${name} …`);
    const result = await testOne(client, name, flags.message, io.now);
    progress.clear();
    results.push(result);
    if (!flags.json) io.out.write(resultLine(counter, name.padEnd(width), result));
  }
  const failed = results.filter((r) => !r.ok).length;
  if (flags.json) io.out.write(`${JSON.stringify(results, null, 2)}\n`);
  else io.out.write(`${names.length - failed} of ${names.length} answered${failed ? `, ${failed} failed` : ""}\n`);
  return failed === 0 ? 0 : 1;
}
