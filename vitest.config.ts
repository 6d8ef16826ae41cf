/** Three test projects: pure code in Node, the Worker inside workerd with real bindings, and end to end. */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { copyDocsAssets } from "./scripts/docs-assets.mjs";

// The API docs' files (Text modules the Worker imports) must exist before the Worker is built (also without npm test's preflight).
copyDocsAssets();

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: "unit", include: ["src/**/*.test.ts", "sim/**/*.test.ts", "scripts/**/*.test.ts", "cli/**/*.test.ts"], environment: "node" },
      },
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                ADMIN_API_KEY: "sk-admin-test-0123456789abcdefghij",
                JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789",
                ENCRYPTION_KEY: "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0wMDA=",
                SIM_API_KEY: "sk-sim-test",
                REALTIME_WAIT_MS: "1500",
                ALLOW_PRIVATE_UPSTREAMS: "true",
                ALLOW_PRIVATE_USER_UPSTREAMS: "true",
                ALLOW_REGISTRATION: "true",
                UPSTREAM_TIMEOUT_MS: "3000",
                LOG_FLUSH_MS: "20",
                PROVIDERS: JSON.stringify([
                  {
                    name: "sim",
                    type: "openai-compatible",
                    base_url: `${inject<string>("simUrl")}/v1`,
                    api_key: "${SIM_API_KEY}",
                    limits: { max_concurrency: inject<number>("simCap") },
                    // Tests put faults on this provider on purpose, many in a row: its breaker stays out of
                    // their way (the breaker's own tests use providers of their own).
                    breaker: { enabled: false },
                    models: ["sim-small", { name: "sim-alias", upstream_model: "sim-large" }],
                  },
                ]),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/worker/**/*.test.ts"],
          setupFiles: ["./test/worker/apply-migrations.ts"],
          globalSetup: ["./test/worker/simulator-setup.ts"],
          testTimeout: 30_000,
          // One simulator serves every file and some tests assert on its counters: one file at a time.
          fileParallelism: false,
        },
      },
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false },
      },
    ],
  },
});
