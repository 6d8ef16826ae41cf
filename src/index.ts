/** The Worker entry: HTTP through the Hono app, task jobs through the queue consumer; exports the Governor. */
import { buildApp } from "./app.ts";
import type { Bindings } from "./env.ts";
import { consumeTasks, recordDeadLetters } from "./tasks/consumer.ts";
import type { TaskMessage } from "./tasks/task-message.ts";

const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, _ctx) => (batch.queue.endsWith("-dlq") ? recordDeadLetters(batch, env) : consumeTasks(batch, env)),
} satisfies ExportedHandler<Bindings, TaskMessage>;

export { Governor } from "./scheduler/governor.ts";
export { FailureLimiter } from "./auth/failure-limiter.ts";
export { TaskSweeper } from "./tasks/task-sweeper.ts";
export { TokenVault } from "./providers/token-auth/token-vault.ts";
