/**
 * The config document: the gateway's run-time configuration as one JSON or YAML document, a
 * top-level section per kind, for backups and for moving a setup from one gateway to another.
 * Export writes every section and never a secret; import checks the whole document first, then
 * makes every change in one D1 batch (all or nothing), or only reports them on a dry run.
 */
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Bindings } from "../env.ts";
import { runAtomically } from "../providers/stored-providers.ts";
import { forgetPrices } from "../pricing/price-book.ts";
import { forgetRoutes } from "../routing/route-table.ts";
import { pricesSection } from "./prices-section.ts";
import { providersSection } from "./providers-section.ts";
import { routingSection } from "./routing-section.ts";
import { rulesSection } from "./rules-section.ts";
import type { ChangeAction, ConfigChange, ConfigSection, ImportMode } from "./section.ts";

/** The document's format; a later, incompatible one gets another number. */
export const CONFIG_VERSION = 1;

/** Every section, in the order they are written and applied. A new kind of configuration is one more here. */
const SECTIONS: readonly ConfigSection[] = [providersSection, routingSection, rulesSection, pricesSection];

/** A document: `version` and any of the sections (an unknown one is a 400 naming it). */
export const configDocument = z.strictObject({
  version: z.literal(CONFIG_VERSION, { message: `version must be ${CONFIG_VERSION}` }).optional(),
  ...Object.fromEntries(SECTIONS.map((s) => [s.key, s.schema.optional()])),
});

export type ConfigDocument = { version: number } & Record<string, unknown>;

/** The gateway's run-time configuration, every section. */
export async function exportConfig(env: Bindings, db: Database): Promise<ConfigDocument> {
  const sections = await Promise.all(SECTIONS.map(async (s) => [s.key, await s.read(env, db)] as const));
  return { version: CONFIG_VERSION, ...Object.fromEntries(sections) };
}

export interface ImportReport {
  object: "config_import";
  mode: ImportMode;
  dry_run: boolean;
  changes: ConfigChange[];
  summary: Record<ChangeAction, number>;
}

/**
 * Applies a checked document (`configDocument`'s output): each section it has is planned (a
 * problem is a 400 naming its path, and nothing changes), then every change is made at once.
 */
export async function importConfig(env: Bindings, db: Database, document: Record<string, unknown>, options: { mode: ImportMode; dryRun: boolean }): Promise<ImportReport> {
  const scope = { env, db, mode: options.mode, document };
  const plans = [];
  for (const section of SECTIONS) {
    if (document[section.key] !== undefined) plans.push(await section.plan(scope, document[section.key]));
  }
  const changes = plans.flatMap((p) => p.changes);
  if (!options.dryRun) {
    await runAtomically(
      db,
      plans.flatMap((p) => p.statements),
    );
    forgetRoutes(env);
    forgetPrices();
  }
  const summary: Record<ChangeAction, number> = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const c of changes) summary[c.action]++;
  return { object: "config_import", mode: options.mode, dry_run: options.dryRun, changes, summary };
}
