import { describe, expect, it } from "vitest";
import type { NewRequestLog } from "../db/request-logs.ts";
import { LogBatch } from "./log-batch.ts";

const row = (i: number) => ({ id: `r${i}`, createdAt: i, endpoint: "chat.completions", status: 200, latencyMs: 1 }) as NewRequestLog;

describe("LogBatch", () => {
  it("writes the rows of one window together, kept alive by the call that opened the window", async () => {
    const writes: string[][] = [];
    const batch = new LogBatch(async (rows) => void writes.push(rows.map((r) => r.id)), 20);
    const opened = batch.add(row(1));
    expect(opened).toBeInstanceOf(Promise);
    expect(batch.add(row(2))).toBeUndefined();
    expect(batch.add(row(3))).toBeUndefined();
    expect(writes).toEqual([]);
    await opened;
    expect(writes).toEqual([["r1", "r2", "r3"]]);
    // The next row opens a new window.
    const next = batch.add(row(4));
    expect(next).toBeInstanceOf(Promise);
    await next;
    expect(writes).toEqual([["r1", "r2", "r3"], ["r4"]]);
  });

  it("writes at once when the buffer is full, and the window writes what came after", async () => {
    const writes: number[] = [];
    const batch = new LogBatch(async (rows) => void writes.push(rows.length), 20);
    const opened = batch.add(row(0));
    let full: Promise<void> | undefined;
    for (let i = 1; i < 100; i++) full = batch.add(row(i)) ?? full;
    expect(full).toBeInstanceOf(Promise);
    await full;
    expect(writes).toEqual([100]);
    batch.add(row(100));
    await opened;
    expect(writes).toEqual([100, 1]);
    expect(batch.pending).toBe(0);
  });

  it("tries a failed write once more, and never throws into the call", async () => {
    let calls = 0;
    const batch = new LogBatch(async () => {
      calls++;
      if (calls === 1) throw new Error("database busy");
    }, 1);
    await batch.add(row(1));
    expect(calls).toBe(2);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const failing = new LogBatch(async () => Promise.reject(new Error("down")), 1);
      await expect(failing.add(row(1))).resolves.toBeUndefined();
    } finally {
      console.error = original;
    }
    expect(JSON.stringify(errors)).toContain("lost 1 request-log rows");
  });
});
