import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DOCS_ASSETS } from "../src/openapi/pages.ts";
import { copyDocsAssets, publicDir } from "./docs-assets.mjs";

describe("the docs' static assets", () => {
  it("holds every file the /docs and /redoc pages load, and copies nothing that is already there", () => {
    copyDocsAssets();
    for (const path of Object.values(DOCS_ASSETS)) {
      const file = join(publicDir, path);
      expect(existsSync(file), path).toBe(true);
      expect(statSync(file).size, path).toBeGreaterThan(100_000);
    }
    expect(copyDocsAssets()).toEqual([]);
  });
});
