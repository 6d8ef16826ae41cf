// The API docs as a person sees them: headless Chromium opens /docs (Swagger UI) and /redoc (ReDoc)
// on the gateway under `wrangler dev`, with every request to another host refused (as on a
// machine without internet, or where CDNs are blocked), and finds the gateway's operations.
// Needs Debian's Chromium (`apt-get install chromium`); without it this file skips itself.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type Stack } from "../../scripts/dev-stack.ts";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
const reason = `skipped: ${CHROMIUM} not found (apt-get install chromium to run the browser check)`;
if (!present) console.warn(`test/e2e/api-docs.test.ts ${reason}`);

let stack: Stack;
let browser: Browser;

/** A page that refuses every request to a host other than the gateway, and remembers them. */
async function offlinePage(): Promise<{ page: Page; refused: string[]; served: string[] }> {
  const page = await browser.newPage();
  const refused: string[] = [];
  const served: string[] = [];
  await page.route(
    (url) => url.protocol.startsWith("http") && url.origin !== stack.url,
    (route) => {
      refused.push(route.request().url());
      return route.abort();
    },
  );
  page.on("response", (res) => {
    if (res.ok()) served.push(new URL(res.url()).pathname);
  });
  return { page, refused, served };
}

describe.skipIf(!present)(`the API docs in headless Chromium${present ? "" : ` (${reason})`}`, () => {
  beforeAll(async () => {
    stack = await startStack();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("/docs shows Swagger UI with every operation of /openapi.json, from the gateway's own files", async () => {
    const spec = (await (await fetch(`${stack.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    const { page, served } = await offlinePage();
    await page.goto(`${stack.url}/docs`);
    const chat = page.locator(".opblock-post").filter({ has: page.locator('.opblock-summary-path[data-path="/v1/chat/completions"]') });
    await chat.waitFor();
    expect(await chat.locator(".opblock-summary-method").textContent()).toBe("POST");
    await expect.poll(() => page.locator(".opblock").count()).toBe(operations);
    // Opening an operation shows its body schema and its error responses.
    await chat.locator(".opblock-summary").click();
    await chat.locator(".responses-table").first().waitFor();
    const statuses = await chat.locator(".responses-table .response-col_status").allTextContents();
    expect(statuses.map((s) => s.trim())).toEqual(expect.arrayContaining(["200", "400", "401", "429", "502"]));
    expect(served).toEqual(expect.arrayContaining(["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json"]));
    await page.close();
  });

  it("/redoc renders the same document with ReDoc", async () => {
    const { page, served } = await offlinePage();
    await page.goto(`${stack.url}/redoc`);
    await page.locator("h2", { hasText: "Create a chat completion" }).first().waitFor();
    await page.locator("h1", { hasText: "Hybrid LLM Gateway API" }).waitFor();
    expect(await page.locator("h2", { hasText: "Submit a task" }).count()).toBeGreaterThan(0);
    expect(served).toEqual(expect.arrayContaining(["/redoc/redoc.standalone.js", "/openapi.json"]));
    await page.close();
  });
});
