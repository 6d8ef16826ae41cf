// GET /v1/models: the fixed list of simulated model ids.

/** Model ids listed by GET /v1/models (completions accept any model name). */
export const MODEL_IDS = ["sim-small", "sim-large", "sim-embedding"] as const;

const CREATED = 1_700_000_000;

/** Body of GET /v1/models. */
export function modelList(): object {
  return { object: "list", data: MODEL_IDS.map((id) => ({ id, object: "model", created: CREATED, owned_by: "sim" })) };
}
