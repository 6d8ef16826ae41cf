import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayCallError, GatewayClient } from "./gateway-client.mjs";
import { delta, fakeGateway, json, sse } from "./fake-gateway.testkit.ts";

let gateway: Awaited<ReturnType<typeof fakeGateway>>;
let client: GatewayClient;

beforeAll(async () => {
  gateway = await fakeGateway({
    "GET /v1/models": (_req, res) => json(res, 200, { object: "list", data: [] }),
    "GET /bad-model": (_req, res) => json(res, 404, { error: { message: "The model 'x' does not exist", type: "not_found_error", param: "model", code: "model_not_found" }, request_id: "req_body" }, "req_header"),
    "GET /not-json": (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>a dashboard</html>");
    },
    "GET /proxy-error": (_req, res) => {
      res.writeHead(502, { "content-type": "text/html", "x-request-id": "req_proxy" });
      res.end("<html>Bad Gateway</html>");
    },
    "POST /v1/chat/completions": (req, res) => {
      const prompt = (req.body as { messages: { content: string }[] }).messages[0]!.content;
      if (prompt === "cut") return sse(res, [delta("tok1 ")]);
      if (prompt === "fail") return sse(res, [delta("tok1 "), JSON.stringify({ error: { message: "upstream connection broke mid-stream", type: "upstream_error", param: null, code: "upstream_stream_cut" } })], "req_failed_stream");
      sse(res, [JSON.stringify({ choices: [{ delta: { role: "assistant" } }] }), delta("你"), delta("好"), "[DONE]"]);
    },
  });
  client = new GatewayClient({ baseUrl: gateway.url, key: "sk-gw-secret" });
});

afterAll(() => gateway.close());

describe("GatewayClient", () => {
  it("sends the key as a bearer token", async () => {
    await client.json("GET", "/v1/models");
    expect(gateway.seen.at(-1)).toMatchObject({ path: "/v1/models", authorization: "Bearer sk-gw-secret" });
  });

  it("turns an error body into its message, code, param and request id", async () => {
    const error = await client.json("GET", "/bad-model").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayCallError);
    expect((error as GatewayCallError).describe()).toBe("The model 'x' does not exist (404 model_not_found, param model, request id req_body)");
  });

  it("shows a body that is not the gateway's, and the header's request id", async () => {
    const error = (await client.json("GET", "/proxy-error").catch((e: unknown) => e)) as GatewayCallError;
    expect(error.describe()).toBe("HTTP 502: <html>Bad Gateway</html> (502, request id req_proxy)");
  });

  it("says so when a 200 is not JSON (a --base-url that is not the gateway)", async () => {
    await expect(client.json("GET", "/not-json")).rejects.toThrow(`${gateway.url}/not-json answered something other than JSON; is --base-url the gateway? ("<html>a dashboard</html>")`);
  });

  it("yields a stream's text until [DONE]", async () => {
    const parts: string[] = [];
    for await (const text of client.streamChat({ model: "m", messages: [{ role: "user", content: "hi" }] })) parts.push(text);
    expect(parts).toEqual(["你", "好"]);
    expect(gateway.seen.at(-1)?.body).toMatchObject({ stream: true });
  });

  it("throws a stream's error event with the response's request id", async () => {
    const parts: string[] = [];
    const run = async () => {
      for await (const text of client.streamChat({ model: "m", messages: [{ role: "user", content: "fail" }] })) parts.push(text);
    };
    await expect(run()).rejects.toMatchObject({ message: "upstream connection broke mid-stream", code: "upstream_stream_cut", requestId: "req_failed_stream", status: undefined });
    expect(parts).toEqual(["tok1 "]);
  });

  it("throws when a stream ends without [DONE]", async () => {
    const run = async () => {
      for await (const _ of client.streamChat({ model: "m", messages: [{ role: "user", content: "cut" }] })) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow("the stream ended before [DONE]");
  });

  it("says which gateway it could not reach, never the key", async () => {
    const closed = await fakeGateway({});
    await closed.close();
    const error = (await new GatewayClient({ baseUrl: closed.url, key: "sk-gw-secret" }).json("GET", "/v1/models").catch((e: unknown) => e)) as GatewayCallError;
    expect(error.describe()).toBe(`cannot reach the gateway at ${closed.url} (ECONNREFUSED); is it running? (npm start)`);
  });
});
