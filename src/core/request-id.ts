/**
 * Request ids: a caller's `x-request-id` when it is a sane token, else one made here. Every
 * response carries it in `x-request-id`, every error body as `request_id`, every log row too.
 */

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's id, if usable, or a new one. */
export function requestIdOf(header: string | null | undefined): string {
  return header && SANE.test(header) ? header : newRequestId();
}

export function newRequestId(): string {
  return `req_${crypto.randomUUID().replace(/-/g, "")}`;
}
