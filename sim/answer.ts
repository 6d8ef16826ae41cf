// Delivering an answer: its JSON body after its latency, its stream, or the request's fault in its place.
import type { LlmContext } from "./context.ts";
import type { Fault } from "./directives.ts";
import { injectFault, isBodyFault, isStreamFault } from "./faults.ts";
import type { StreamFault } from "./framestream.ts";
import { sendJson } from "./http.ts";

/** An answer ready to be sent. */
export interface Answer {
  /** True when the request asked for a stream. */
  stream: boolean;
  /** Time to first token; error faults answer after it. */
  ttftMs: number;
  /** Time the complete unstreamed answer takes. */
  latencyMs: number;
  /** The complete unstreamed body. */
  body: () => object;
  /** Streams the answer, applying `fault` when given. */
  streamWith: (fault?: StreamFault) => void;
}

/**
 * Sends `answer`, or when the request has a fault (its `directed` one, else its key's keyFaults entry) counts
 * it and applies it instead: a stream fault of a streamed answer through the stream writer, anything else via
 * injectFault (after the full latency for body faults, else ttft).
 */
export function deliver(ctx: LlmContext, directed: Fault | undefined, answer: Answer): void {
  const fault = directed ?? ctx.keyFault;
  if (fault) {
    ctx.scope.markFault();
    if (answer.stream && isStreamFault(fault)) return answer.streamWith(fault);
    // Error statuses and resets come after ttft; a broken body takes as long as a real one.
    return injectFault(ctx, fault, isBodyFault(fault) ? answer.latencyMs : answer.ttftMs, () => JSON.stringify(answer.body()));
  }
  if (answer.stream) return answer.streamWith();
  ctx.scope.after(answer.latencyMs, () => {
    ctx.scope.markSuccess();
    sendJson(ctx.res, 200, answer.body(), ctx.headers);
  });
}
