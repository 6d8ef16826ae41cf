// Admission limits: the concurrency-cap check and a rolling 60-second requests-per-minute window.

/** Length of the RPM window in milliseconds. */
export const WINDOW_MS = 60_000;

/** True when a new request must be refused because `inFlight` already reached `cap`. */
export function overCap(inFlight: number, cap: number): boolean {
  return inFlight >= cap;
}

/** Rolling window of admission timestamps used to enforce a requests-per-minute limit. */
export class RpmWindow {
  #stamps: number[] = [];
  #head = 0;

  #prune(now: number): void {
    while (this.#head < this.#stamps.length && this.#stamps[this.#head]! <= now - WINDOW_MS) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#stamps.length) {
      this.#stamps = this.#stamps.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Number of admissions inside the window ending at `now`. */
  used(now: number): number {
    this.#prune(now);
    return this.#stamps.length - this.#head;
  }

  /** Records an admission at `now` unless `rpm` admissions are already in the window; returns whether it was admitted. */
  tryAcquire(now: number, rpm: number): boolean {
    if (rpm === Infinity) return true;
    if (this.used(now) >= rpm) return false;
    this.#stamps.push(now);
    return true;
  }

  /** Milliseconds until the oldest admission leaves the window (0 when the window is empty). */
  resetInMs(now: number): number {
    return this.used(now) === 0 ? 0 : Math.max(0, this.#stamps[this.#head]! + WINDOW_MS - now);
  }

  /** Forgets every recorded admission. */
  clear(): void {
    this.#stamps = [];
    this.#head = 0;
  }

  /** OpenAI-style `x-ratelimit-*-requests` headers; empty when `rpm` is Infinity. */
  headers(now: number, rpm: number): Record<string, string> {
    if (rpm === Infinity) return {};
    return {
      "x-ratelimit-limit-requests": String(rpm),
      "x-ratelimit-remaining-requests": String(Math.max(0, rpm - this.used(now))),
      "x-ratelimit-reset-requests": `${(this.resetInMs(now) / 1000).toFixed(3)}s`,
    };
  }
}
