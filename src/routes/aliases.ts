/**
 * Seed 003's paths as aliases of this gateway's routes (`/api/v1/chat/completions`,
 * `/api/v1/chat/models`, `/api/v1/providers/…`). An aliased request is routed as if it had come
 * to the path it stands for: the same middleware (a key for chat, an admin for providers), the
 * same handler, the same answer. Nothing is handled twice; only the path the router sees changes.
 */
import { getPathNoStrict } from "hono/utils/url";

interface Alias {
  alias: string;
  target: string;
  /** The alias's sub-paths too (`/api/v1/providers/{id}/health` → `/api/providers/{id}/health`). */
  prefix?: boolean;
}

export const SEED_003_ALIASES: readonly Alias[] = [
  { alias: "/api/v1/chat/completions", target: "/v1/chat/completions" },
  { alias: "/api/v1/chat/models", target: "/v1/models" },
  { alias: "/api/v1/providers", target: "/api/providers", prefix: true },
];

/** The path a request is routed by: its own (a trailing slash dropped), or the one its alias stands for. */
export function routedPath(request: Request): string {
  const path = getPathNoStrict(request);
  for (const { alias, target, prefix } of SEED_003_ALIASES) {
    if (path === alias) return target;
    if (prefix && path.startsWith(`${alias}/`)) return target + path.slice(alias.length);
  }
  return path;
}
