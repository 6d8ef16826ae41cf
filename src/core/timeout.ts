/** Races work against a timer, for reads that have no deadline of their own (upstream bodies). */
import { GatewayError } from "./errors.ts";

/** Resolves with `work`, or rejects with a 504 GatewayError after `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, message = "upstream stopped answering mid-body"): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GatewayError("upstream_timeout", message, { code: "upstream_timeout" })), ms);
  });
  work.catch(() => {}); // if the timer wins, a later failure of the work is expected
  try {
    return await Promise.race([work, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
