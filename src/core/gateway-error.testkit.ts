/** For tests: the GatewayError that `run` throws (anything else, or nothing, fails the test). */
import { GatewayError } from "./errors.ts";

export function gatewayErrorOf(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}
