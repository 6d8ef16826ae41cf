// CLI entry point: `node --experimental-strip-types sim/cli.ts [flags]` starts the simulator until SIGINT/SIGTERM.
import { CliError, parseCliArgs, USAGE } from "./args.ts";
import { startSimulator } from "./server.ts";

/** Parses flags, starts the simulator, prints its URL and stops it cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`sim: ${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sim = await startSimulator(parsed.options);
  process.stdout.write(`simulator listening on ${sim.url}\n`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
