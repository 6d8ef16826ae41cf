import { describe, expect, it } from "vitest";
import { connectionOf, deadlineOf, parseCommandLine, UsageError } from "./args.mjs";

describe("parseCommandLine", () => {
  it("reads a command, its positionals and flags in any order", () => {
    expect(parseCommandLine(["chat", "--model", "sim-small", "你好", "--no-stream"])).toEqual({ command: "chat", positionals: ["你好"], flags: { model: "sim-small", "no-stream": true } });
    expect(parseCommandLine(["-m", "sim-small", "chat", "hi"])).toMatchObject({ command: "chat", flags: { model: "sim-small" } });
  });

  it("reads keys subcommands", () => {
    expect(parseCommandLine(["keys", "create", "--name", "ci", "--models", "a,b"])).toEqual({ command: "keys create", positionals: [], flags: { name: "ci", models: "a,b" } });
    expect(parseCommandLine(["keys", "revoke", "abc"])).toEqual({ command: "keys revoke", positionals: ["abc"], flags: {} });
  });

  it("answers help for no command, --help, `help <command>` and `<command> --help`", () => {
    expect(parseCommandLine([])).toEqual({ help: expect.stringContaining("commands:") });
    expect(parseCommandLine(["--help"])).toEqual({ help: expect.stringContaining("keys revoke") });
    expect(parseCommandLine(["chat", "-h"])).toEqual({ help: expect.stringContaining("--deadline WHEN") });
    expect(parseCommandLine(["help", "keys", "create"])).toEqual({ help: expect.stringMatching(/^usage: hybrid-gateway keys create --name N/) });
  });

  it("refuses what it does not know, saying what", () => {
    expect(() => parseCommandLine(["modles"])).toThrow(new UsageError("unknown command 'modles'; run hybrid-gateway --help"));
    expect(() => parseCommandLine(["keys"])).toThrow(/create, list or revoke/);
    expect(() => parseCommandLine(["keys", "delete", "x"])).toThrow(/unknown command 'keys delete'/);
    expect(() => parseCommandLine(["models", "--name", "x"])).toThrow("models does not take --name");
    expect(() => parseCommandLine(["models", "--colour"])).toThrow(/Unknown option '--colour'/);
    expect(() => parseCommandLine(["chat", "hi", "there", "--model", "m"])).toThrow(/quote the prompt/);
    expect(() => parseCommandLine(["keys", "revoke"])).toThrow("usage: hybrid-gateway keys revoke <id>");
  });

  it("takes any number of models to test", () => {
    expect(parseCommandLine(["test", "a", "b", "c"])).toMatchObject({ command: "test", positionals: ["a", "b", "c"] });
  });
});

describe("connectionOf", () => {
  it("takes flags over the environment, and defaults the URL", () => {
    expect(connectionOf({ key: "k1" }, {})).toEqual({ baseUrl: "http://127.0.0.1:8787", key: "k1" });
    expect(connectionOf({}, { HYBRID_GATEWAY_URL: "https://gw.example.com", HYBRID_GATEWAY_KEY: "k2" })).toEqual({ baseUrl: "https://gw.example.com", key: "k2" });
    expect(connectionOf({ "base-url": "http://a:1", key: "k3" }, { HYBRID_GATEWAY_URL: "http://b:2", HYBRID_GATEWAY_KEY: "k4" })).toEqual({ baseUrl: "http://a:1", key: "k3" });
  });

  it("accepts the SDK's base URL ending in /v1", () => {
    expect(connectionOf({ "base-url": "http://127.0.0.1:8787/v1/", key: "k" }, {}).baseUrl).toBe("http://127.0.0.1:8787");
    expect(connectionOf({ "base-url": "https://example.com/gateway/", key: "k" }, {}).baseUrl).toBe("https://example.com/gateway");
  });

  it("refuses a missing key and a URL that is not http(s)", () => {
    expect(() => connectionOf({}, {})).toThrow(/HYBRID_GATEWAY_KEY/);
    expect(() => connectionOf({ "base-url": "localhost:8787", key: "k" }, {})).toThrow(/must be http or https/);
    expect(() => connectionOf({ "base-url": "not a url", key: "k" }, {})).toThrow(/must be a URL/);
  });
});

describe("deadlineOf", () => {
  const now = Date.parse("2026-11-22T08:00:00Z");

  it("turns a delay into a time", () => {
    expect(deadlineOf("90s", now)).toBe("2026-11-22T08:01:30.000Z");
    expect(deadlineOf("30m", now)).toBe("2026-11-22T08:30:00.000Z");
    expect(deadlineOf("2h", now)).toBe("2026-11-22T10:00:00.000Z");
    expect(deadlineOf("1d", now)).toBe("2026-11-23T08:00:00.000Z");
  });

  it("passes an ISO 8601 time with an offset through", () => {
    expect(deadlineOf("2026-11-22T09:00:00+08:00", now)).toBe("2026-11-22T09:00:00+08:00");
  });

  it("refuses anything else", () => {
    expect(() => deadlineOf("tomorrow", now)).toThrow(UsageError);
    expect(() => deadlineOf("2026-11-22T09:00:00", now)).toThrow(/with an offset/);
    expect(() => deadlineOf("5 minutes", now)).toThrow(/delay/);
  });
});
