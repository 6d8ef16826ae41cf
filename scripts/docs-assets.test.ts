import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assetsDir, copyDocsAssets } from "./docs-assets.mjs";

describe("the docs' files", () => {
  it("holds every file the /docs and /redoc pages load, and copies nothing that is already there", () => {
    copyDocsAssets();
    for (const name of ["swagger-ui-bundle.js.txt", "swagger-ui.css.txt", "redoc.standalone.js.txt"]) {
      const file = join(assetsDir, name);
      expect(existsSync(file), name).toBe(true);
      expect(statSync(file).size, name).toBeGreaterThan(100_000);
    }
    expect(copyDocsAssets()).toEqual([]);
  });
});
