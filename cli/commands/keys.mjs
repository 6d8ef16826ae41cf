/** `keys create | list | revoke`: API keys through `/api/keys`. A new key is printed once; a listed key never is. */
import { UsageError } from "../args.mjs";
import { table, when } from "../format.mjs";

/**
 * `--models a,b` as a list.
 * @param {string} value
 */
export function modelList(value) {
  const models = value.split(",").map((m) => m.trim()).filter(Boolean);
  if (models.length === 0) throw new UsageError("--models needs at least one model name: --models a,b");
  return models;
}

/** @param {import("../main.mjs").CommandInput} input */
export async function createKey({ client, flags, io }) {
  if (!flags.name?.trim()) throw new UsageError("keys create needs --name N");
  const { body } = await client.json("POST", "/api/keys", { name: flags.name, ...(flags.models === undefined ? {} : { models: modelList(flags.models) }) });
  if (flags.json) {
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  // The key alone on stdout, so `KEY=$(hybrid-gateway keys create --name ci)` works; the rest to stderr.
  const limit = body.models ? `, limited to ${body.models.join(", ")}` : "";
  io.err.write(`created key "${body.name}" (id ${body.id}${limit}). It is shown this once: store it now.\n`);
  io.out.write(`${body.key}\n`);
  return 0;
}

/** @param {import("../main.mjs").CommandInput} input */
export async function listKeys({ client, flags, io }) {
  const { body } = await client.json("GET", "/api/keys");
  if (flags.json) {
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  /** @type {{ id: string; name: string; prefix: string; models: string[] | null; created_at: number; last_used_at: number | null; revoked_at: number | null }[]} */
  const keys = body.data;
  if (keys.length === 0) {
    io.err.write("no API keys yet: make one with `hybrid-gateway keys create --name N`\n");
    return 0;
  }
  const rows = keys.map((k) => [k.id, k.name, k.prefix, k.models?.join(",") ?? "all", when(k.created_at), when(k.last_used_at), k.revoked_at === null ? "active" : `revoked ${when(k.revoked_at)}`]);
  io.out.write(table(["ID", "NAME", "PREFIX", "MODELS", "CREATED", "LAST USED", "STATUS"], rows));
  return 0;
}

/** @param {import("../main.mjs").CommandInput} input */
export async function revokeKey({ client, positionals, flags, io }) {
  const id = /** @type {string} */ (positionals[0]);
  const { body } = await client.json("DELETE", `/api/keys/${encodeURIComponent(id)}`);
  io.out.write(flags.json ? `${JSON.stringify(body, null, 2)}\n` : `revoked key ${body.id}\n`);
  return 0;
}
