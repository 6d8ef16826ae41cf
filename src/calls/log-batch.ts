/**
 * Request-log rows, written in batches: each isolate buffers the rows of its finished calls for a
 * short window (LOG_FLUSH_MS) and writes them in one D1 batch, so a call costs no insert of its own.
 * The call that opens a window keeps its invocation alive (`waitUntil`) until the window's write
 * is done, so a row is lost only if the isolate itself dies within the window.
 */
import type { Database } from "../db/client.ts";
import { writeRequestLogs, type NewRequestLog } from "../db/request-logs.ts";

/** Rows in one write at most; more are written at once by the call that fills the buffer. */
const MAX_ROWS = 100;

export class LogBatch {
  #rows: NewRequestLog[] = [];
  #window: Promise<void> | undefined;
  readonly #write: (rows: NewRequestLog[]) => Promise<void>;
  readonly #windowMs: number;

  constructor(write: (rows: NewRequestLog[]) => Promise<void>, windowMs: number) {
    this.#write = write;
    this.#windowMs = windowMs;
  }

  /**
   * Buffers a row. Returns the write that will carry it when this call must keep the invocation
   * alive for it (it opened the window, or filled the buffer); `undefined` when another call does.
   */
  add(row: NewRequestLog): Promise<void> | undefined {
    this.#rows.push(row);
    if (this.#rows.length >= MAX_ROWS) return this.#flush();
    if (this.#window) return undefined;
    this.#window = new Promise((resolve) => setTimeout(resolve, this.#windowMs)).then(() => {
      this.#window = undefined;
      return this.#flush();
    });
    return this.#window;
  }

  /** Rows waiting for their write. */
  get pending(): number {
    return this.#rows.length;
  }

  async #flush(): Promise<void> {
    const rows = this.#rows;
    this.#rows = [];
    if (rows.length === 0) return;
    try {
      await this.#write(rows);
    } catch (first) {
      // One more try (a busy database); then the rows are lost, and the server log says how many.
      await this.#write(rows).catch((e) => console.error(`lost ${rows.length} request-log rows`, first instanceof Error ? first.message : first, e instanceof Error ? e.message : e));
    }
  }
}

const batches = new WeakMap<D1Database, LogBatch>();

/** The isolate's batch for this database. */
export function logBatchOf(binding: D1Database, db: () => Database, windowMs: number, offsetMinutes: number): LogBatch {
  let batch = batches.get(binding);
  if (!batch) {
    batch = new LogBatch((rows) => writeRequestLogs(db(), rows, offsetMinutes), windowMs);
    batches.set(binding, batch);
  }
  return batch;
}
