/** The Worker entry: HTTP through the Hono app, task jobs through the queue consumer; exports the Governor. */
import { buildApp } from "./app.ts";
import type { Bindings } from "./env.ts";

const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Bindings>;

export { Governor } from "./scheduler/governor.ts";
