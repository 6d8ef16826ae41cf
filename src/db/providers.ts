/** Providers managed through the admin API: rows in D1, keys sealed with AES-GCM, models replaced whole. */
import { eq } from "drizzle-orm";
import { seal } from "../core/crypto.ts";
import { withoutCredentials } from "../core/upstream-url.ts";
import type { Database } from "./client.ts";
import { models, providers } from "./schema.ts";
import { normaliseModels, secretReference, type ProviderDefinition } from "../providers/definition.ts";

export type ProviderRow = typeof providers.$inferSelect;

/** What the API shows of a provider: never its key. */
export interface ProviderView {
  id: string;
  object: "provider";
  name: string;
  type: string;
  base_url: string;
  source: "config" | "admin";
  has_api_key: boolean;
  api_key_secret: string | null;
  limits: { max_concurrency: number; rpm: number | null; tpm: number | null };
  models: { name: string; upstream_model: string }[];
  created_at: number | null;
}

export function viewOf(row: ProviderRow, served: { name: string; upstreamModel: string }[]): ProviderView {
  return {
    id: row.id,
    object: "provider",
    name: row.name,
    type: row.type,
    // Rows stored before the guard may hold user:password@ in the URL: never show it back.
    base_url: withoutCredentials(row.baseUrl),
    source: "admin",
    has_api_key: Boolean(row.apiKeyCiphertext || row.apiKeySecret),
    api_key_secret: row.apiKeySecret,
    limits: { max_concurrency: row.maxConcurrency, rpm: row.rpm, tpm: row.tpm },
    models: served.map((m) => ({ name: m.name, upstream_model: m.upstreamModel })),
    created_at: row.createdAt,
  };
}

/** The stored form of a key: a secret reference by name, or the key sealed under ENCRYPTION_KEY. */
export async function storedKey(apiKey: string | undefined, encryptionKey: string): Promise<{ apiKeyCiphertext: string | null; apiKeySecret: string | null }> {
  const ref = secretReference(apiKey);
  if (ref) return { apiKeyCiphertext: null, apiKeySecret: ref };
  return { apiKeyCiphertext: apiKey ? await seal(apiKey, encryptionKey) : null, apiKeySecret: null };
}

export async function listAdminProviders(db: Database): Promise<ProviderView[]> {
  const rows = await db.select().from(providers).orderBy(providers.createdAt).all();
  const served = await db.select().from(models).all();
  return rows.map((row) => viewOf(row, served.filter((m) => m.providerId === row.id)));
}

export async function findAdminProvider(db: Database, idOrName: string): Promise<ProviderView | undefined> {
  const row = (await db.select().from(providers).where(eq(providers.id, idOrName)).get()) ?? (await db.select().from(providers).where(eq(providers.name, idOrName)).get());
  if (!row) return undefined;
  return viewOf(row, await db.select().from(models).where(eq(models.providerId, row.id)).all());
}

/** Statements that replace a provider's model list. */
export function replaceModels(db: Database, providerId: string, list: ProviderDefinition["models"]) {
  const rows = normaliseModels(list).map((m) => ({ id: crypto.randomUUID(), providerId, name: m.name, upstreamModel: m.upstreamModel }));
  return [db.delete(models).where(eq(models.providerId, providerId)), ...(rows.length ? [db.insert(models).values(rows)] : [])] as const;
}
