/** Starts one upstream simulator (in Node) for the workerd tests and hands its URL to the pool. */
import type { TestProject } from "vitest/node";
import "./provided-context.d.ts";
import { startSimulator, type Simulator } from "../../sim/server.ts";

export const SIM_CAP = 4;
let sim: Simulator | undefined;

export default async function setup(project: TestProject) {
  sim = await startSimulator({ maxConcurrency: SIM_CAP, apiKey: "sk-sim-test", ttftMs: 5, tokensPerSecond: 2000 });
  project.provide("simUrl", sim.url);
  project.provide("simCap", SIM_CAP);
  return async () => {
    await sim?.close();
  };
}
