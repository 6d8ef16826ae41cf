/** `chat "<prompt>" --model M`: one chat completion, streamed to stdout, whole, or through the task lane. */
import { deadlineOf, UsageError } from "../args.mjs";
import { GatewayCallError } from "../gateway-client.mjs";
import { submitAndWait } from "../task-wait.mjs";

/**
 * The prompt: the argument, or stdin when it is "-" or absent with input piped in.
 * @param {string | undefined} arg
 * @param {import("../io.mjs").Io} io
 */
async function promptOf(arg, io) {
  let prompt = arg;
  if (arg === "-" || (arg === undefined && !io.stdin.isTTY)) {
    const decoder = new TextDecoder();
    prompt = "";
    for await (const chunk of io.stdin) prompt += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    prompt += decoder.decode();
  }
  if (!prompt?.trim()) throw new UsageError('chat needs a prompt: hybrid-gateway chat "…" --model M');
  return prompt;
}

/** @param {any} completion a chat.completion */
const answerOf = (completion) => {
  const content = completion?.choices?.[0]?.message?.content;
  return typeof content === "string" ? content : "";
};

/** @param {import("../io.mjs").Output} out @param {string} text */
const writeLine = (out, text) => out.write(text.endsWith("\n") ? text : `${text}\n`);

/** @param {import("../main.mjs").CommandInput} input */
export async function chat({ client, positionals, flags, io }) {
  if (!flags.model) throw new UsageError("chat needs --model M (see `hybrid-gateway models`)");
  if (flags.deadline !== undefined && !flags.task) throw new UsageError("--deadline applies to --task");
  if (flags.task && flags["no-stream"]) throw new UsageError("--task never streams; drop --no-stream");
  const prompt = await promptOf(positionals[0], io);
  const messages = [...(flags.system ? [{ role: "system", content: flags.system }] : []), { role: "user", content: prompt }];
  const request = { model: flags.model, messages };

  if (flags.task) {
    const task = await submitAndWait(client, { ...request, ...(flags.deadline === undefined ? {} : { deadline: deadlineOf(flags.deadline, io.now()) }) }, io);
    if (flags.json) io.out.write(`${JSON.stringify(task, null, 2)}\n`);
    else if (task.status === "succeeded") writeLine(io.out, answerOf(task.result));
    if (task.status === "succeeded") return 0;
    if (flags.json) return 1;
    throw new GatewayCallError(`task ${task.id} ${task.status}${task.error ? `: ${task.error.message}` : ""}`, { code: task.error?.code });
  }

  if (flags["no-stream"] || flags.json) {
    const { body } = await client.json("POST", "/v1/chat/completions", request);
    if (flags.json) io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    else writeLine(io.out, answerOf(body));
    return 0;
  }

  let last = "\n";
  try {
    for await (const text of client.streamChat(request)) {
      io.out.write(text);
      last = text;
    }
  } finally {
    // An answer, or the part of one a failed stream sent, ends its line before anything else is printed.
    if (!last.endsWith("\n")) io.out.write("\n");
  }
  return 0;
}
