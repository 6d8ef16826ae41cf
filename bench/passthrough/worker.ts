// The bare passthrough the gateway is measured against (bench/overhead): a minimal Hono Worker
// under the same `wrangler dev` that forwards a chat call to the upstream and streams its answer back.
import { Hono } from "hono";

const app = new Hono<{ Bindings: { UPSTREAM_URL: string; UPSTREAM_KEY: string } }>();
app.post("/v1/chat/completions", async (c) => {
  const upstream = await fetch(`${c.env.UPSTREAM_URL}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${c.env.UPSTREAM_KEY}`, "content-type": "application/json" }, body: c.req.raw.body });
  return new Response(upstream.body, upstream);
});
app.get("/health", (c) => c.text("ok"));
export default app;
