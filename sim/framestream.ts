// Paced writing of a streamed answer laid out as frames, with the stream faults malformed, cut and midstream.
import type { LlmContext } from "./context.ts";
import { paceTokens } from "./pacing.ts";

/** Paced steps sent before `cut` drops the connection or `midstream` sends its error. */
export const CUT_AFTER_STEPS = 3;

/** Faults a stream writer applies itself. */
export type StreamFault = "malformed" | "cut" | "midstream";

/** A streamed answer: head at ttft, then `steps` frames paced at tokensPerSecond, then the tail. */
export interface FramePlan {
  /** Value of the content-type header. */
  contentType: string;
  ttftMs: number;
  /** Written at ttft, before the first step ("" for nothing). */
  head: string;
  /** Number of paced steps (tokens, or tool-call pieces). */
  steps: number;
  /** Text of step `index`: one or more frames. */
  step: (index: number) => string;
  /** Written after the last step; ends the response. */
  tail: () => string;
  fault?: StreamFault;
  /** malformed: written after the head, a frame whose JSON breaks off. */
  broken: string;
  /** malformed: ends the response after the broken frame ("" for nothing). */
  brokenEnd: string;
  /** midstream: the format's in-stream error, written after CUT_AFTER_STEPS steps; it ends the response. */
  errorFrame: () => string;
}

/**
 * Sends 200 with the plan's content-type at once, then streams it. `cut` writes the head and at most
 * CUT_AFTER_STEPS steps and drops the connection; `midstream` ends after them with the error frame; `malformed`
 * writes head, broken frame and brokenEnd at ttft. Stops silently when the client goes away.
 */
export function streamFrames(ctx: LlmContext, plan: FramePlan): void {
  const { res, scope } = ctx;
  res.writeHead(200, { ...ctx.headers, "content-type": plan.contentType, "cache-control": "no-cache" });
  res.flushHeaders();
  if (plan.fault === "malformed") {
    scope.after(plan.ttftMs, () => {
      if (plan.head !== "") res.write(plan.head);
      res.write(plan.broken);
      res.end(plan.brokenEnd);
    });
    return;
  }
  const cut = plan.fault === "cut";
  const partial = cut || plan.fault === "midstream";
  const count = partial ? Math.min(CUT_AFTER_STEPS, plan.steps) : plan.steps;
  const drop = (): void => scope.destroy();
  // Writes `text`, then (for the last frame of a cut stream) drops the connection once it is flushed.
  const send = (text: string, dropAfter: boolean): void => {
    if (text !== "") res.write(text, dropAfter ? drop : undefined);
    else if (dropAfter) drop();
  };
  paceTokens(scope, {
    ttftMs: plan.ttftMs,
    tokensPerSecond: ctx.options.tokensPerSecond,
    count,
    onStart: () => send(plan.head, cut && count === 0),
    onToken: (i) => send(plan.step(i), cut && i === count - 1),
    onDone: () => {
      if (cut) return; // the last write's callback drops the connection
      if (plan.fault === "midstream") return void res.end(plan.errorFrame());
      scope.markSuccess();
      res.end(plan.tail());
    },
  });
}

/** A frame and whether it is paced (a step) or rides along with the next step (structure). */
export interface Frame {
  text: string;
  paced: boolean;
}

/**
 * Groups frames into head (structure before the first paced frame), steps (each paced frame with the structure
 * just before it) and tail (structure after the last paced frame).
 */
export function layoutFrames(frames: readonly Frame[]): { head: string; steps: string[]; tail: string } {
  let pending = "";
  let head: string | undefined;
  const steps: string[] = [];
  for (const frame of frames) {
    if (!frame.paced) {
      pending += frame.text;
      continue;
    }
    if (head === undefined) {
      head = pending;
      steps.push(frame.text);
    } else {
      steps.push(pending + frame.text);
    }
    pending = "";
  }
  return head === undefined ? { head: pending, steps, tail: "" } : { head, steps, tail: pending };
}
