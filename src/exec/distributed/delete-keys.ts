import type { Redis } from "ioredis";

/**
 * Deletes every key matching one of `patterns` (a run's or a search's, see `RunKeys.patterns`),
 * by SCAN in pages and UNLINK, so that a large run never blocks Redis with one KEYS or DEL.
 */
export async function deleteKeys(client: Redis, patterns: readonly string[]): Promise<void> {
  for (const pattern of patterns) {
    let cursor = "0";
    do {
      const [next, found] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (found.length > 0) await client.unlink(...found);
    } while (cursor !== "0");
  }
}
