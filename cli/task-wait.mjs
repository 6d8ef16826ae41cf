/** Submits a chat to the task lane (`POST /v1/tasks`) and polls `GET /v1/tasks/{id}` until it ends. */
import { progressLine } from "./progress.mjs";

const ENDED = new Set(["succeeded", "failed", "cancelled", "expired"]);
const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2000;

/**
 * @typedef {{ id: string; status: string; attempts: number; preemptions: number; result: any; error: { message: string; code: string | null } | null }} Task
 */

/**
 * @param {import("./gateway-client.mjs").GatewayClient} client
 * @param {Record<string, unknown>} request  a chat completion body, with `deadline` if any
 * @param {import("./io.mjs").Io} io
 * @returns {Promise<Task>} the task once it has ended
 */
export async function submitAndWait(client, request, io) {
  /** @type {Task} */
  let task = (await client.json("POST", "/v1/tasks", request)).body;
  // Stopping the CLI does not stop the task: say where to find it.
  io.err.write(`task ${task.id} ${task.status} (GET /v1/tasks/${task.id}; Ctrl-C stops waiting, not the task)\n`);
  const progress = progressLine(io.err, io.env);
  const startedAt = io.now();
  let delay = FIRST_POLL_MS;
  while (!ENDED.has(task.status)) {
    progress.show(`task ${task.id}: ${task.status}, ${Math.round((io.now() - startedAt) / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(MAX_POLL_MS, Math.round(delay * 1.5));
    task = (await client.json("GET", `/v1/tasks/${encodeURIComponent(task.id)}`)).body;
  }
  progress.clear();
  return task;
}
