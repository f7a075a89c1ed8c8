import { isIP } from "node:net";
import { TesseraError } from "../../base/errors.js";

/** Where and how to reach Redis: what a BullMQ queue and an ioredis client are opened with. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** The URL with any password replaced by `***`: the only form ever printed. */
  readonly display: string;
  /** True for `localhost`, `127.0.0.0/8` and `::1`. */
  readonly loopback: boolean;
}

/** The default Redis: the local server on its standard port. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

function loopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** `url` with its password (and user) masked, for messages; a URL that does not parse is masked whole. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable URL>";
  }
}

function bad(url: string, why: string): TesseraError {
  return new TesseraError("invalid_redis_url", `Redis URL '${redactRedisUrl(url)}' ${why}`, {
    url: redactRedisUrl(url),
  });
}

/**
 * Parses a `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS) URL. Refuses a
 * non-loopback server reached with neither a password nor TLS (`insecure_redis`) unless
 * `insecure`: Redis without authentication on a network lets anyone read the run's data and
 * inject jobs. Errors and `display` never contain the password.
 *
 * Example: `parseRedisUrl("redis://:s3cret@10.0.0.5:6380/2").display` is `redis://:***@10.0.0.5:6380/2`.
 */
export function parseRedisUrl(url: string, insecure = false): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(url, "does not parse as a URL");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw bad(url, "must start with redis:// or rediss://");
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw bad(url, "names no host");
  const port = u.port === "" ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, "");
  if (!/^\d{0,2}$/.test(dbText)) throw bad(url, `names database '${dbText}', expected a number`);
  const db = dbText === "" ? 0 : Number(dbText);
  const password = u.password === "" ? undefined : decodeURIComponent(u.password);
  const username = u.username === "" ? undefined : decodeURIComponent(u.username);
  const tls = u.protocol === "rediss:";
  const loopback = loopbackHost(host);
  const display = redactRedisUrl(url);
  if (!loopback && password === undefined && !tls && !insecure) {
    throw new TesseraError(
      "insecure_redis",
      `Redis at ${display} is not on this machine and has neither a password nor TLS: anyone on the network could read the run's data and inject jobs; give a password (redis://:PASSWORD@host), use rediss://, or pass --insecure`,
      { url: display },
    );
  }
  return {
    host,
    port,
    db,
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
    tls,
    display,
    loopback,
  };
}

/** The ioredis / BullMQ connection options of `target` (BullMQ needs `maxRetriesPerRequest: null`). */
export function connectionOptions(target: RedisTarget): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
} {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
