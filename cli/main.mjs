/** The CLI's dispatcher: parse the command line, run the command, turn failures into a message and an exit code. */
import { connectionOf, parseCommandLine, UsageError } from "./args.mjs";
import { chat } from "./commands/chat.mjs";
import { createKey, listKeys, revokeKey } from "./commands/keys.mjs";
import { models } from "./commands/models.mjs";
import { testModels } from "./commands/test-models.mjs";
import { GatewayCallError, GatewayClient } from "./gateway-client.mjs";
import { processIo } from "./io.mjs";

/**
 * What every command gets; it returns its exit code.
 * @typedef {{ client: GatewayClient; positionals: string[]; flags: import("./args.mjs").Flags; io: import("./io.mjs").Io }} CommandInput
 */

/** @type {Record<string, (input: CommandInput) => Promise<number>>} */
const RUN = {
  models,
  test: testModels,
  chat,
  "keys create": createKey,
  "keys list": listKeys,
  "keys revoke": revokeKey,
};

/**
 * Runs one command line; resolves to the exit code: 0 done, 1 the gateway failed or refused, 2 a usage mistake.
 * @param {string[]} argv
 * @param {import("./io.mjs").Io} io
 */
export async function main(argv, io = processIo()) {
  try {
    const invocation = parseCommandLine(argv);
    if ("help" in invocation) {
      io.out.write(invocation.help);
      return 0;
    }
    const run = /** @type {(input: CommandInput) => Promise<number>} */ (RUN[invocation.command]);
    const client = new GatewayClient(connectionOf(invocation.flags, io.env));
    return await run({ client, positionals: invocation.positionals, flags: invocation.flags, io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`hybrid-gateway: ${error.message}\n`);
      return 2;
    }
    if (error instanceof GatewayCallError) {
      io.err.write(`error: ${error.describe()}\n`);
      return 1;
    }
    throw error;
  }
}
