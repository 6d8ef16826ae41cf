/** drizzle-kit settings: flat NNNN_name.sql migrations that wrangler and readD1Migrations both read. */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
