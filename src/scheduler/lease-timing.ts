/**
 * How long a governor lease lives and when its holder renews it: the governor and the holders
 * read these from here, so they always agree. Short, so a crashed holder's slot comes back
 * within seconds; renewed well inside, so a live call never loses its slot.
 */

/** A renewed lease lives this long past its last renew. */
export const LEASE_TTL_MS = 10_000;
/** A fresh lease lives only this long unless renewed: a grant to a caller that already left frees soon. */
export const FIRST_LEASE_TTL_MS = 5_000;
/** When the holder first renews: well inside the first TTL. */
export const FIRST_RENEW_AFTER_MS = 2_000;
/** How often the holder renews after that: a third of the TTL, so two renewals may fail in a row. */
export const RENEW_EVERY_MS = LEASE_TTL_MS / 3;
/** How long an aborted call's slot stays taken after release, until the upstream notices the close. */
export const ABORT_DRAIN_MS = 25;
