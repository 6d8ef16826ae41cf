import { describe, expect, it } from "vitest";
import { ADMIN, call } from "./helpers.ts";

describe("health", () => {
  it("answers 200 without a credential", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers a wrong method on a known path with 405 and Allow, an unknown path with 404", async () => {
    const models = await call("/v1/models", { method: "DELETE", key: ADMIN });
    expect(models.status).toBe(405);
    expect(models.headers.get("allow")).toBe("GET, HEAD");
    expect(((await models.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
    const chat = await call("/v1/chat/completions", { key: ADMIN });
    expect(chat.status).toBe(405);
    expect(chat.headers.get("allow")).toBe("POST");
    const task = await call("/v1/tasks/task_123", { method: "PUT", key: ADMIN });
    expect(task.headers.get("allow")).toBe("DELETE, GET, HEAD");
    expect((await call("/health", { method: "POST" })).status).toBe(405);
    expect((await call("/v1/nothing-here", { key: ADMIN })).status).toBe(404);
  });
});
