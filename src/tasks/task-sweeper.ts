/**
 * The `TaskSweeper` Durable Object: one alarm that runs the sweep every `SWEEP_INTERVAL_MS` while
 * any task is open, armed again by every submission. A thin shell: the sweep is `sweeper.ts`.
 */
import { DurableObject } from "cloudflare:workers";
import { settings, type Bindings } from "../env.ts";
import { sweepOnce } from "./sweeper.ts";

export class TaskSweeper extends DurableObject<Bindings> {
  /** Makes sure a sweep is scheduled (a task was submitted); idempotent. */
  async arm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + settings(this.env).SWEEP_INTERVAL_MS);
  }

  override async alarm(): Promise<void> {
    const open = await sweepOnce(this.env).then(
      (r) => r.open,
      (error) => (console.error("task sweep failed; trying again next interval", error), 1),
    );
    if (open > 0 && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + settings(this.env).SWEEP_INTERVAL_MS);
  }
}

/** The one sweeper. */
export function taskSweeper(env: Bindings) {
  return env.TASK_SWEEPER.get(env.TASK_SWEEPER.idFromName("tasks"));
}
