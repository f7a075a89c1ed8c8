import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

/** A real `redis-server` started for a test on a free loopback port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL when `hard`: no chance to write anything more). */
  stop(hard?: boolean): Promise<void>;
  /** Stops and starts it again on the same port and directory (with AOF, with the same data). */
  restart(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (d) => {
      answer += d.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/**
 * Starts `redis-server` (Debian's, installed by the bootstrap) on a free loopback port, with
 * no persistence, or with an append-only file fsynced on every write when `aof` (so a test can
 * restart it and find the run's state). Rejects — failing the test, never skipping it — when
 * the server cannot be started or does not answer within 10 s.
 */
export async function startRedis(options: { aof?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tessera-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.aof === true ? "yes" : "no",
    "--appendfsync",
    "always",
  ];
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    const failed = new Promise<never>((_, reject) => {
      c.once("error", (e) =>
        reject(new Error(`redis-server cannot start (is Debian's redis-server installed?): ${e.message}`)),
      );
      c.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${stderr}`)));
    });
    failed.catch(() => {});
    child = c;
    const until = Date.now() + 10_000;
    while (!(await Promise.race([ping(port), failed]))) {
      if (Date.now() > until) {
        c.kill("SIGKILL");
        throw new Error(`redis-server did not answer on port ${port} within 10 s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (hard = false) => {
    const c = child;
    if (c === undefined) return;
    child = undefined;
    c.kill(hard ? "SIGKILL" : "SIGTERM");
    await exited(c);
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop(hard = false) {
      await stop(hard);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stop(false);
      await launch();
    },
  };
}
