/** Log retention: request-log rows older than LOG_RETENTION_DAYS go (the daily rollups stay), run by the cron. */
import { database } from "../db/client.ts";
import { deleteRequestLogsBefore } from "../db/request-logs.ts";
import { settings, type Bindings } from "../env.ts";

export async function pruneRequestLogs(env: Bindings, now = Date.now()): Promise<number> {
  const deleted = await deleteRequestLogsBefore(database(env.DB), now - settings(env).LOG_RETENTION_DAYS * 86_400_000).catch((e: unknown) => {
    console.error("pruning request logs failed", e instanceof Error ? e.message : e);
    return 0;
  });
  if (deleted > 0) console.log(`log retention: deleted ${deleted} request-log rows older than ${settings(env).LOG_RETENTION_DAYS} days`);
  return deleted;
}
