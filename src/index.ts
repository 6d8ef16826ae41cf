/** The Worker entry: HTTP through the Hono app, task jobs through the queue consumer, health checks by the Cron Trigger; exports the Durable Objects. */
import { buildApp } from "./app.ts";
import { runHealthChecks } from "./calls/health-check.ts";
import type { Bindings } from "./env.ts";
import { pruneRequestLogs } from "./usage/retention.ts";
import { consumeTasks, recordDeadLetters, taskRunsOf } from "./tasks/consumer.ts";
import type { TaskMessage } from "./tasks/task-message.ts";

const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, ctx) => (batch.queue.endsWith("-dlq") ? recordDeadLetters(batch, env) : consumeTasks(batch, env, taskRunsOf(env, ctx))),
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(pruneRequestLogs(env));
    const report = await runHealthChecks(env, (p) => ctx.waitUntil(p));
    if (report.probed.length || report.removedBackends) console.log(`health check: ${report.probed.filter((p) => p.ok).length}/${report.probed.length} probes ok, ${report.skipped} deployments proven by traffic or busy, ${report.removedBackends} silent backends removed`);
  },
} satisfies ExportedHandler<Bindings, TaskMessage>;

export { Governor } from "./scheduler/governor.ts";
export { FailureLimiter } from "./auth/failure-limiter.ts";
export { TaskSweeper } from "./tasks/task-sweeper.ts";
export { TokenVault } from "./providers/token-auth/token-vault.ts";
export { TaskRunner } from "./tasks/task-runner.ts";
export { SpendLimiter } from "./limits/spend-limiter.ts";
