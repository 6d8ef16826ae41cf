// A minimal client of the gateway with the official `openai` package: one realtime call, streamed,
// then one task submitted to the task lane and polled until it ends. See examples/README.md.
import OpenAI from "openai";

const gateway = (process.env.HYBRID_GATEWAY_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const apiKey = process.env.HYBRID_GATEWAY_KEY;
if (!apiKey) {
  console.error("set HYBRID_GATEWAY_KEY to an API key (make one with: npx hybrid-gateway keys create --name example)");
  process.exit(2);
}
const model = process.argv[2] ?? "sim-small";
const client = new OpenAI({ apiKey, baseURL: `${gateway}/v1` });

/**
 * A task as `POST /v1/tasks` and `GET /v1/tasks/{id}` show it (the fields used here).
 * @typedef {{ id: string; status: string; result: OpenAI.ChatCompletion | null; error: { message: string } | null }} Task
 */

try {
  // Realtime: a person is waiting, so the answer streams as it comes.
  const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: "你好" }], stream: true });
  process.stdout.write("realtime: ");
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
  process.stdout.write("\n");

  // A task only has to finish by its deadline: the gateway answers 202 at once and runs it on
  // capacity realtime calls leave free. The SDK's generic post/get reach the gateway's /v1/tasks.
  const deadline = new Date(Date.now() + 10 * 60_000).toISOString();
  /** @type {Task} */
  let task = await client.post("/tasks", { body: { model, messages: [{ role: "user", content: "用一句话总结AI发展" }], deadline } });
  console.log(`task ${task.id}: ${task.status}`);
  while (task.status === "queued" || task.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, 500));
    task = await client.get(`/tasks/${task.id}`);
  }
  if (task.status !== "succeeded") {
    console.error(`task ${task.id} ${task.status}: ${task.error?.message ?? "no result"}`);
    process.exit(1);
  }
  console.log(`task: ${task.result?.choices[0]?.message.content}`);
} catch (error) {
  // The gateway's errors are OpenAI error objects; the request id finds the call in GET /api/logs.
  if (!(error instanceof OpenAI.APIError)) throw error;
  console.error(`${error.message} (request id ${error.requestID ?? "none"})`);
  process.exit(1);
}
