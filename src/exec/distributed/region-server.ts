import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RecycledBuffers } from "../local/recycled-buffers.js";
import { SharedInputDir, type SharedInputs } from "./shared-input-dir.js";

/** What the coordinator's data server knows of one run: its token, its input bytes, its output blocks. */
export interface ServedRun {
  /** Every request for the run carries it (`authorization: Bearer <token>`); it is in the run's meta only. */
  readonly token: string;
  /**
   * Program-input region `n`: which distinct region it is (loads with one id have the same
   * bytes, written to shared memory once) and its bytes; undefined when the run has no such
   * region.
   */
  input(n: number): ServedInput | undefined;
  /** Input `n` was handed over (`shared`: in shared memory, else over HTTP). */
  served(n: number, shared: boolean): void;
  /** The size in bytes of program-output block `n`, or undefined when the run has no such block. */
  outputBytes(n: number): number | undefined;
  /** Takes output block `n` (exactly `outputBytes(n)` bytes, in a buffer of its own). */
  receive(n: number, bytes: ArrayBuffer): void;
}

/** A program-input region the server hands over: its distinct-region id and its bytes. */
export interface ServedInput {
  readonly id: number;
  bytes(): Uint8Array;
}

const ROUTE = /^\/run\/([A-Za-z0-9_-]{1,64})\/(in|out|shm)\/(\d{1,9})$/;

/**
 * The coordinator's data server (the direct data plane, `docs/distributed.md`): workers read a
 * run's program-input regions from it and deliver their program-output blocks to it over HTTP,
 * in place of a round trip through Redis each way. Routes: `GET /run/<id>/in/<n>` (raw bytes),
 * `POST /run/<id>/shm/<n>` (input `n` written to a file of its `SharedInputDir`, answered with
 * the file's name: for a worker on this machine) and `PUT /run/<id>/out/<n>` (raw bytes,
 * answered 204 once stored). 404 for a run it does not serve (ended: a late job writes
 * nothing), 501 for a shared-memory read when it has no such directory, 403 for a wrong
 * token, 400 for a bad size or path.
 */
export class RegionServer {
  private readonly runs = new Map<string, ServedRun>();
  /** Output-block buffers a run has done with, for the next blocks to be received into (`recycle`). */
  private readonly free = new RecycledBuffers();

  private constructor(
    private readonly server: Server,
    /** The URL workers reach it at, ending in `/`. */
    readonly url: string,
    private readonly dir: SharedInputDir | undefined,
  ) {}

  /** Where workers on this machine may take input regions in shared memory; undefined: over HTTP only. */
  get shared(): SharedInputs | undefined {
    return this.dir?.shared;
  }

  /**
   * Listens on `bind` (any free port) and advertises itself as `http://<advertise>:<port>/`;
   * with `sharedMemory`, also hands input regions to workers on this machine through files in
   * shared memory when this machine has it (`SharedInputDir`).
   */
  static async start(bind: string, advertise: string, sharedMemory = false): Promise<RegionServer> {
    let self: RegionServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res));
    // Region bodies are large and arrive at loopback speed: no reason to wait on Nagle's algorithm.
    server.on("connection", (socket) => socket.setNoDelay(true));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, bind, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = advertise.includes(":") ? `[${advertise}]` : advertise;
    self = new RegionServer(
      server,
      `http://${host}:${port}/`,
      sharedMemory ? SharedInputDir.create() : undefined,
    );
    return self;
  }

  /** Serves `run` until `remove`. */
  add(run: string, served: ServedRun): void {
    this.runs.set(run, served);
  }

  /**
   * Starts writing inputs `ns` of `run` to shared memory now, for workers on this machine to
   * find them written when they ask (a no-op without shared memory).
   */
  offer(run: string, ns: readonly number[]): void {
    const served = this.runs.get(run);
    if (this.dir === undefined || served === undefined) return;
    for (const n of ns) {
      const input = served.input(n);
      // A failed write fails the worker's request for it, which then reads over HTTP.
      if (input !== undefined) this.dir.share(run, input.id, () => input.bytes()).catch(() => {});
    }
  }

  /** Stops serving `run`: its requests get 404 from now on. */
  remove(run: string): void {
    this.runs.delete(run);
    this.dir?.drop(run);
  }

  /**
   * Takes back the buffers of output blocks a run has done with (copied into its outputs, and
   * the run no longer served), for the next run's blocks: receiving into pages already mapped
   * spares a fresh allocation per block, whose page faults and garbage-collection pressure the
   * coordinator otherwise pays on every run. Keeps at most the last run's worth.
   */
  recycle(buffers: readonly ArrayBuffer[]): void {
    this.free.clear();
    this.free.give(buffers);
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    this.runs.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.dir?.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const m = ROUTE.exec(req.url ?? "");
    const reply = (status: number, text = "") => {
      // An unread request body would otherwise hold the connection.
      req.resume();
      res.writeHead(status, { "content-type": "text/plain", "content-length": Buffer.byteLength(text) });
      res.end(text);
    };
    if (m === null) {
      reply(400, "no such route");
      return;
    }
    const [, id, what, nText] = m;
    const run = this.runs.get(id!);
    if (run === undefined) {
      reply(404, "run not served here (ended)");
      return;
    }
    if (!tokenMatches(req.headers.authorization, run.token)) {
      reply(403, "wrong token");
      return;
    }
    const n = Number(nText);
    if (what === "in" || what === "shm") {
      const method = what === "in" ? "GET" : "POST";
      if (req.method !== method) {
        reply(405, `${method} only`);
        return;
      }
      const input = run.input(n);
      if (input === undefined) {
        reply(404, "no such input region");
        return;
      }
      if (what === "in") {
        const bytes = input.bytes();
        run.served(n, false);
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": bytes.byteLength,
        });
        res.end(bytes);
        return;
      }
      if (this.dir === undefined) {
        reply(501, "no shared memory here");
        return;
      }
      this.dir
        .share(id!, input.id, () => input.bytes())
        .then(
          (name) => {
            // Counted once handed over: a failed write is read (and counted) over HTTP instead.
            run.served(n, true);
            reply(200, name);
          },
          (e: unknown) =>
            reply(500, `cannot write to shared memory: ${e instanceof Error ? e.message : String(e)}`),
        );
      return;
    }
    if (req.method !== "PUT") {
      reply(405, "PUT only");
      return;
    }
    const size = run.outputBytes(n);
    if (size === undefined) {
      reply(404, "no such output block");
      return;
    }
    if (Number(req.headers["content-length"]) !== size) {
      reply(400, `output block ${n} is ${size} bytes`);
      return;
    }
    const into = new Uint8Array(this.free.take(size) ?? new ArrayBuffer(size));
    let at = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (at + chunk.byteLength > size) over = true;
      else into.set(chunk, at);
      at += chunk.byteLength;
    });
    req.on("end", () => {
      if (over || at !== size) {
        reply(400, `output block ${n} is ${size} bytes, got ${at}`);
        return;
      }
      run.receive(n, into.buffer);
      res.writeHead(204);
      res.end();
    });
    req.on("error", () => res.destroy());
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.byteLength === wanted.byteLength && timingSafeEqual(given, wanted);
}
