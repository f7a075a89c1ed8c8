import { Agent, request } from "node:http";
import type { DType } from "../../base/dtype.js";
import { TesseraError } from "../../base/errors.js";
import type { RecycledBuffers } from "../local/recycled-buffers.js";
import type { WireRange } from "../local/region-wire.js";
import { readSharedFile, SHARED_MIN_BYTES, type SharedInputs, sharesMachine } from "./shared-input-dir.js";

/** A program-input region the coordinator serves: input `n` (`GET run/<id>/in/<n>`), held by `device` under source key `key`. */
export interface ServedLoad {
  readonly n: number;
  readonly device: string;
  readonly key: string;
  readonly dtype: DType;
  readonly range: WireRange;
  /** The worker `device` was dealt to when the run began (a hint: it may move), so it can read ahead. */
  readonly worker?: string;
}

/** Where a worker reads a run's inputs and delivers its outputs (the coordinator's `RegionServer`), from the run's meta. */
export interface DataPlane {
  /** The server's URL, ending in `/`. */
  readonly url: string;
  /** The run's secret: only holders of the run's meta (in Redis) may read or write its data. */
  readonly token: string;
  /** Every input region served, so a worker can fetch a device's inputs ahead of the jobs reading them. */
  readonly loads: readonly ServedLoad[];
  /** Where a worker on the coordinator's machine takes input regions in shared memory; absent: HTTP only. */
  readonly shared?: SharedInputs;
}

function unreachable(plane: DataPlane, path: string, cause: string): TesseraError {
  return new TesseraError(
    "coordinator_unreachable",
    `cannot reach the run's coordinator at ${plane.url} for ${path}: ${cause}`,
    { url: plane.url, path, cause },
  );
}

/**
 * A worker's side of the direct data plane: reads program-input regions from a coordinator's
 * `RegionServer` and delivers program-output blocks to it, on kept-alive connections.
 */
export class RegionClient {
  private readonly agent = new Agent({ keepAlive: true });
  /** Whether this process shares the machine of a coordinator's shared-memory directory, by directory and probe. */
  private readonly local = new Map<string, boolean>();

  /** True when input regions of `plane` can be taken in shared memory here (asked once per coordinator directory). */
  private sharing(plane: DataPlane): plane is DataPlane & { readonly shared: SharedInputs } {
    const shared = plane.shared;
    if (shared === undefined) return false;
    const key = `${shared.dir}\n${shared.probe}`;
    let known = this.local.get(key);
    if (known === undefined) {
      known = sharesMachine(shared);
      this.local.set(key, known);
    }
    return known;
  }

  /**
   * The `bytes` bytes of program-input region `n` of `run`, in a buffer of `recycled` or a fresh one; undefined
   * when the coordinator no longer serves the run (it ended). `coordinator_unreachable` otherwise.
   */
  async getInput(
    plane: DataPlane,
    run: string,
    n: number,
    bytes: number,
    recycled?: RecycledBuffers,
  ): Promise<ArrayBuffer | undefined> {
    if (bytes >= SHARED_MIN_BYTES && this.sharing(plane)) {
      const data = recycled?.take(bytes) ?? new ArrayBuffer(bytes);
      const name = await this.askShared(plane, run, n);
      if (name === undefined) return undefined;
      if (name !== null && (await readSharedFile(plane.shared, name, new Uint8Array(data)))) return data;
      // Not handed over in shared memory (the coordinator could not write it, or the file went): over HTTP.
      recycled?.give([data]);
    }
    return this.fetchInput(plane, run, n, bytes, recycled);
  }

  /**
   * Asks the coordinator to write input `n` of `run` to its shared-memory directory: the file's
   * name; undefined when it no longer serves the run; null when it did not (read over HTTP).
   */
  private askShared(plane: DataPlane, run: string, n: number): Promise<string | null | undefined> {
    return new Promise((resolve) => {
      const req = request(
        new URL(`run/${run}/shm/${n}`, plane.url),
        { method: "POST", agent: this.agent, headers: { authorization: `Bearer ${plane.token}` } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => {
            if (res.statusCode === 200) resolve(text);
            else resolve(res.statusCode === 404 ? undefined : null);
          });
          res.on("error", () => resolve(null));
        },
      );
      // Whatever went wrong here, the HTTP read after it says so (or succeeds).
      req.on("error", () => resolve(null));
      req.end();
    });
  }

  /** Input `n` of `run` over HTTP (`getInput`). */
  private fetchInput(
    plane: DataPlane,
    run: string,
    n: number,
    bytes: number,
    recycled?: RecycledBuffers,
  ): Promise<ArrayBuffer | undefined> {
    const path = `run/${run}/in/${n}`;
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, plane.url),
        { method: "GET", agent: this.agent, headers: { authorization: `Bearer ${plane.token}` } },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            if (res.statusCode === 404) resolve(undefined);
            else reject(unreachable(plane, path, `HTTP ${res.statusCode}`));
            return;
          }
          // One copy, into the buffer the region keeps: the chunks are not gathered first.
          const data = recycled?.take(bytes) ?? new ArrayBuffer(bytes);
          const into = new Uint8Array(data);
          let at = 0;
          res.on("data", (chunk: Buffer) => {
            if (at + chunk.byteLength <= bytes) into.set(chunk, at);
            at += chunk.byteLength;
          });
          res.on("end", () => {
            if (at === bytes) resolve(data);
            else reject(unreachable(plane, path, `expected ${bytes} bytes, got ${at}`));
          });
          res.on("error", (e) => reject(unreachable(plane, path, e.message)));
        },
      );
      req.on("error", (e) => reject(unreachable(plane, path, e.message)));
      req.end();
    });
  }

  /**
   * Delivers output block `n` of `run`; false when the coordinator no longer serves the run (it
   * ended, and nothing was stored). `coordinator_unreachable` otherwise.
   */
  putOutput(plane: DataPlane, run: string, n: number, bytes: Uint8Array): Promise<boolean> {
    const path = `run/${run}/out/${n}`;
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, plane.url),
        {
          method: "PUT",
          agent: this.agent,
          headers: {
            authorization: `Bearer ${plane.token}`,
            "content-type": "application/octet-stream",
            "content-length": bytes.byteLength,
          },
        },
        (res) => {
          res.resume();
          if (res.statusCode === 204) resolve(true);
          else if (res.statusCode === 404) resolve(false);
          else reject(unreachable(plane, path, `HTTP ${res.statusCode}`));
        },
      );
      req.on("error", (e) => reject(unreachable(plane, path, e.message)));
      req.end(bytes);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
