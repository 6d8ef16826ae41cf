// The naive baseline for bench/scheduler: one FIFO lane with fixed concurrency in front of the
// upstream, as a gateway without a scheduler behaves. Every call, realtime or task, waits its turn.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface NaiveGateway {
  url: string;
  close(): Promise<void>;
}

export async function startNaiveFifo(upstream: string, apiKey: string, concurrency: number): Promise<NaiveGateway> {
  const waiting: (() => void)[] = [];
  let running = 0;
  const acquire = () => (running < concurrency ? (running++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await acquire();
    try {
      const upstreamRes = await fetch(`${upstream}${req.url}`, { method: req.method, headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: Buffer.concat(chunks) });
      const body = Buffer.from(await upstreamRes.arrayBuffer());
      res.writeHead(upstreamRes.status, { "content-type": upstreamRes.headers.get("content-type") ?? "application/json" });
      res.end(body);
    } catch {
      res.writeHead(502).end();
    } finally {
      release();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
