/** Recognising D1 failures that are the client's doing, not the gateway's. */

/** Whether a D1 error is a UNIQUE constraint failure (a lost race on a unique name). */
export function isUniqueViolation(error: unknown): boolean {
  const text = `${error instanceof Error ? error.message : ""} ${error instanceof Error && error.cause instanceof Error ? error.cause.message : ""}`;
  return /UNIQUE constraint failed/i.test(text);
}
