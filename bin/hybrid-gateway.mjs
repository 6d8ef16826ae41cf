#!/usr/bin/env node
/** `npx hybrid-gateway …`: the command line for a running gateway (docs/cli.md). */
import { main } from "../cli/main.mjs";

// `hybrid-gateway models | head -1` closes stdout early: that is not an error.
process.stdout.on("error", (error) => {
  if (/** @type {NodeJS.ErrnoException} */ (error).code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
