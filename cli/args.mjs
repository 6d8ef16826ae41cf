/** The command line: which commands exist, the options each takes, and `--help` text. */
import { parseArgs } from "node:util";

/** A mistake in how the CLI was called (exit code 2), as opposed to a failure of the gateway. */
export class UsageError extends Error {
  name = "UsageError";
}

export const DEFAULT_BASE_URL = "http://127.0.0.1:8787";

/** Every option; which command takes which is declared per command below. */
const OPTIONS = /** @type {const} */ ({
  "base-url": { type: "string" },
  key: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  model: { type: "string", short: "m" },
  system: { type: "string" },
  "no-stream": { type: "boolean" },
  task: { type: "boolean" },
  deadline: { type: "string" },
  message: { type: "string" },
  name: { type: "string" },
  models: { type: "string" },
});

/** @typedef {keyof typeof OPTIONS} OptionName */
/**
 * @typedef {object} CommandSpec
 * @property {string} usage     the synopsis, after `hybrid-gateway `
 * @property {string} summary   one line for the command list
 * @property {OptionName[]} options  the options it takes besides the global ones
 * @property {[number, number]} positionals  how many positionals it takes (min, max)
 * @property {string[]} [details]  lines of `--help` text
 */

const GLOBAL_OPTIONS = /** @type {OptionName[]} */ (["base-url", "key", "json", "help"]);

/** @type {Record<string, CommandSpec>} */
export const COMMANDS = {
  models: {
    usage: "models",
    summary: "list the models your key may use (GET /v1/models)",
    options: [],
    positionals: [0, 0],
  },
  test: {
    usage: "test [model …] [--message TEXT]",
    summary: "make one small call to every model, or to those named (POST /v1/models/{name}/test)",
    options: ["message"],
    positionals: [0, Infinity],
    details: ["  --message TEXT    what to send (default: the gateway's \"Hello\")", "", "Exits 1 when any model fails."],
  },
  chat: {
    usage: 'chat "<prompt>" --model M [--system TEXT] [--no-stream] [--task [--deadline WHEN]]',
    summary: "ask a model and print its answer (streamed by default)",
    options: ["model", "system", "no-stream", "task", "deadline"],
    positionals: [0, 1],
    details: [
      "  -m, --model M     the model to ask (see `hybrid-gateway models`)",
      "  --system TEXT     a system message before the prompt",
      "  --no-stream       wait for the whole answer instead of streaming it",
      "  --task            submit it to the task lane (POST /v1/tasks) and wait for the result",
      "  --deadline WHEN   the task's deadline: an ISO 8601 time (2026-11-22T08:00:00Z) or a delay (90s, 30m, 2h)",
      "",
      'The prompt "-", or none with input piped in, reads the prompt from stdin.',
    ],
  },
  "keys create": {
    usage: "keys create --name N [--models a,b]",
    summary: "make an API key; it is shown once (POST /api/keys)",
    options: ["name", "models"],
    positionals: [0, 0],
    details: ["  --name N          what the key is for", "  --models a,b      limit the key to these models", "", "The key alone goes to stdout; `--json` prints the whole object, key included."],
  },
  "keys list": {
    usage: "keys list",
    summary: "list API keys, never the keys themselves (GET /api/keys)",
    options: [],
    positionals: [0, 0],
  },
  "keys revoke": {
    usage: "keys revoke <id>",
    summary: "revoke an API key (DELETE /api/keys/{id})",
    options: [],
    positionals: [1, 1],
  },
};

const GLOBAL_HELP = [
  `  --base-url URL    the gateway (env HYBRID_GATEWAY_URL, default ${DEFAULT_BASE_URL})`,
  "  --key KEY         an API key or the admin key (env HYBRID_GATEWAY_KEY; the env keeps it out of `ps`)",
  "  --json            print the gateway's JSON instead of text",
  "  -h, --help        this help; `hybrid-gateway <command> --help` for one command",
];

/** The `--help` text: every command, or one. */
export function helpText(command = /** @type {string | undefined} */ (undefined)) {
  const spec = command ? COMMANDS[command] : undefined;
  if (spec) {
    return [`usage: hybrid-gateway ${spec.usage}`, "", spec.summary, ...(spec.details ? ["", ...spec.details] : []), "", "options for every command:", ...GLOBAL_HELP, ""].join("\n");
  }
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    "usage: hybrid-gateway <command> [options]",
    "",
    "A command line for a running Hybrid LLM Gateway (`npm start`).",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "options:",
    ...GLOBAL_HELP,
    "",
  ].join("\n");
}

/**
 * @typedef {{ [K in OptionName]?: (typeof OPTIONS)[K]["type"] extends "string" ? string : boolean }} Flags
 * @typedef {{ help: string } | { command: string; positionals: string[]; flags: Flags }} Invocation
 */

/**
 * Reads argv (without node and the script): `{help}` when help was asked for, else the command,
 * its positionals and flags. Throws UsageError for an unknown command or an option it does not take.
 * @param {string[]} argv
 * @returns {Invocation}
 */
export function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, "") : String(error));
  }
  const flags = /** @type {Flags} */ (parsed.values);
  const words = [...parsed.positionals];
  const first = words.shift();
  if (first === undefined || first === "help") return { help: helpText(words[0] === "keys" && words[1] ? `keys ${words[1]}` : words[0]) };
  let command = first;
  if (first === "keys") {
    const sub = words.shift();
    if (sub === undefined) {
      if (flags.help) return { help: helpText() };
      throw new UsageError("keys needs a subcommand: create, list or revoke");
    }
    command = `keys ${sub}`;
  }
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command '${command}'; run hybrid-gateway --help`);
  if (flags.help) return { help: helpText(command) };

  const allowed = new Set([...GLOBAL_OPTIONS, ...spec.options]);
  for (const name of /** @type {OptionName[]} */ (Object.keys(flags))) {
    if (!allowed.has(name)) throw new UsageError(`${command} does not take --${name}`);
  }
  const [min, max] = spec.positionals;
  if (words.length > max) throw new UsageError(`${command} takes at most ${max} argument${max === 1 ? "" : "s"}, got: ${words.join(" ")}${command === "chat" ? ' (quote the prompt: chat "…")' : ""}`);
  if (words.length < min) throw new UsageError(`usage: hybrid-gateway ${spec.usage}`);
  return { command, positionals: words, flags };
}

/**
 * The gateway to talk to and the key to present: flags first, then the environment.
 * @param {Flags} flags
 * @param {Record<string, string | undefined>} env
 * @returns {{ baseUrl: string; key: string }}
 */
export function connectionOf(flags, env) {
  const raw = flags["base-url"] ?? (env.HYBRID_GATEWAY_URL || DEFAULT_BASE_URL);
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base-url must be a URL like ${DEFAULT_BASE_URL}, got '${raw}'`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--base-url must be http or https, got '${url.protocol}'`);
  // The OpenAI SDK's base URL ends in /v1; the gateway's root is what the CLI needs.
  const baseUrl = url.href.replace(/\/+$/, "").replace(/\/v1$/, "");
  const key = flags.key ?? env.HYBRID_GATEWAY_KEY;
  if (!key) throw new UsageError("no API key: set HYBRID_GATEWAY_KEY or pass --key (make one with `keys create`, using the admin key)");
  return { baseUrl, key };
}

const DELAY = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A task deadline as the gateway takes it (ISO 8601 with an offset): given as one, or as a delay from `now`.
 * @param {string} value
 * @param {number} now
 */
export function deadlineOf(value, now) {
  const delay = DELAY.exec(value.trim());
  if (delay) return new Date(now + Number(delay[1]) * UNIT_MS[/** @type {keyof typeof UNIT_MS} */ (delay[2])]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new UsageError(`--deadline must be an ISO 8601 time with an offset (2026-11-22T08:00:00Z) or a delay (90s, 30m, 2h, 1d), got '${value}'`);
}
