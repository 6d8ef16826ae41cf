/** Providers managed through the admin API: rows in D1, credentials sealed with AES-GCM (or kept as a secret's name), models replaced whole. */
import { eq } from "drizzle-orm";
import { seal } from "../core/crypto.ts";
import { insertGroups } from "./bound-values.ts";
import type { Database } from "./client.ts";
import type { ServedModel } from "../providers/definition.ts";
import { models, providers } from "./schema.ts";

export type ProviderRow = typeof providers.$inferSelect;
export type ModelRow = typeof models.$inferSelect;

/** The stored form of a credential: a secret reference by name, or the value sealed under ENCRYPTION_KEY. */
export async function storedCredential(secretName: string | undefined, value: string | undefined, encryptionKey: string): Promise<{ apiKeyCiphertext: string | null; apiKeySecret: string | null }> {
  if (secretName) return { apiKeyCiphertext: null, apiKeySecret: secretName };
  return { apiKeyCiphertext: value ? await seal(value, encryptionKey) : null, apiKeySecret: null };
}

export async function listProviderRows(db: Database): Promise<{ row: ProviderRow; models: ModelRow[] }[]> {
  const [rows, served] = await Promise.all([db.select().from(providers).orderBy(providers.createdAt).all(), db.select().from(models).all()]);
  return rows.map((row) => ({ row, models: served.filter((m) => m.providerId === row.id) }));
}

export async function findProviderRow(db: Database, idOrName: string): Promise<{ row: ProviderRow; models: ModelRow[] } | undefined> {
  const row = (await db.select().from(providers).where(eq(providers.id, idOrName)).get()) ?? (await db.select().from(providers).where(eq(providers.name, idOrName)).get());
  if (!row) return undefined;
  return { row, models: await db.select().from(models).where(eq(models.providerId, row.id)).all() };
}

/** Statements that replace a provider's model list (inserts split to stay within D1's bound-value limit). */
export function replaceModels(db: Database, providerId: string, list: ServedModel[]) {
  const rows = list.map((m) => ({ id: crypto.randomUUID(), providerId, name: m.name, upstreamModel: m.upstreamModel, maxTokens: m.maxTokens ?? null, priority: m.priority, weight: m.weight, limits: m.limits ?? null, overrides: (m.overrides as Record<string, unknown> | undefined) ?? null }));
  return [db.delete(models).where(eq(models.providerId, providerId)), ...insertGroups(rows).map((group) => db.insert(models).values(group))] as const;
}
