/** What a command reads and writes: the process's streams in use, plain objects in tests. */

/**
 * @typedef {{ write(text: string): unknown; isTTY?: boolean }} Output
 * @typedef {{ out: Output; err: Output; stdin: AsyncIterable<string | Uint8Array> & { isTTY?: boolean }; env: Record<string, string | undefined>; now(): number }} Io
 */

/** @returns {Io} */
export function processIo() {
  return { out: process.stdout, err: process.stderr, stdin: process.stdin, env: process.env, now: Date.now };
}
