/**
 * One section of a config document: a kind of run-time configuration (providers, the routing
 * document, rules…), with its schema, how the gateway's current state is written as it, and what
 * importing it would change. A new kind (prices, key limits) is one more section in document.ts.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Bindings } from "../env.ts";

/** merge: create or update what the document names; replace: also delete what it does not (per section it has). */
export type ImportMode = "merge" | "replace";

export type ChangeAction = "create" | "update" | "delete" | "unchanged";

/** One thing an import creates, updates, deletes or leaves as it is. */
export interface ConfigChange {
  section: string;
  name: string;
  /** For things that have one beside their name (routing rules). */
  id?: string;
  action: ChangeAction;
}

export interface ImportScope {
  env: Bindings;
  db: Database;
  mode: ImportMode;
  /** The whole document, checked: a section may read another (routing reads the providers' models). */
  document: Readonly<Record<string, unknown>>;
}

export interface SectionPlan {
  changes: ConfigChange[];
  /** The D1 statements that make the changes; every section's run in one batch. */
  statements: BatchItem<"sqlite">[];
}

export interface ConfigSection<S extends z.ZodType = z.ZodType> {
  /** The section's top-level key in the document. */
  key: string;
  schema: S;
  /** The gateway's current state, as this section of an export. Never a secret. */
  read(env: Bindings, db: Database): Promise<z.input<S>>;
  /** Checks the section against the gateway (a 400 naming its path when it cannot apply) and plans its changes. */
  plan(scope: ImportScope, value: z.output<S>): Promise<SectionPlan>;
}

/** Declares a section with its types checked. */
export function configSection<S extends z.ZodType>(section: ConfigSection<S>): ConfigSection<S> {
  return section;
}

/** Whether two JSON values are the same, whatever the order of their keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
