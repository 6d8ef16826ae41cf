/**
 * Task runs fanned out of the queue consumer: each run is its own invocation of this entrypoint
 * (through the Worker's loopback binding, `ctx.exports.TaskRunner`), so the task lane is not capped
 * by one invocation's six simultaneous upstream connections. The run keeps its own claim alive
 * and writes its log rows after it answers.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Bindings } from "../env.ts";
import { runTask, type RunResult } from "./run-task.ts";

export class TaskRunner extends WorkerEntrypoint<Bindings> {
  /** Runs the task the consumer holds with `hold`. */
  run(taskId: string, hold: string): Promise<RunResult> {
    return runTask(this.env, taskId, { hold, waitUntil: (work) => this.ctx.waitUntil(work) });
  }
}
