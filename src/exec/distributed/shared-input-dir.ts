import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open, rm, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Where a coordinator leaves program-input regions for workers on its own machine (`SharedInputDir`), from the run's meta. */
export interface SharedInputs {
  /** The directory, in shared memory (`/dev/shm`), only its owner may read. */
  readonly dir: string;
  /**
   * The content of the directory's `probe` file: a worker that reads the same finds the
   * coordinator's files, so it shares its machine (a worker elsewhere with a directory of the
   * same name reads something else, or nothing).
   */
  readonly probe: string;
}

/**
 * Regions smaller than this go over HTTP even to a worker on the coordinator's machine: one
 * request and a small copy beat a request, a file written and a file opened, read and closed
 * (the 96 tiny inputs of the distributed bench's many-task plan: compute phase 36 ms over
 * HTTP, 43 ms through shared memory).
 */
export const SHARED_MIN_BYTES = 256 * 1024;

/** A file name the coordinator gives a worker: nothing that could leave the directory. */
export const SHARED_FILE = /^[A-Za-z0-9_-]{1,64}\.\d{1,9}\.\d{1,12}$/;

const ROOT = "/dev/shm";
const PREFIX = "tessera-";

/**
 * A coordinator's directory in shared memory (tmpfs): a worker on the same machine asks for an
 * input region there (`POST /run/<id>/shm/<n>`), the coordinator writes it to a file (once per
 * run however many loads read it, and ahead of the request for workers it knows are on this
 * machine), and the worker reads it in one system call. Two memory copies instead of
 * a socket's send and receive, HTTP framing and an event-loop turn per 64 KiB chunk: on the
 * benchmark's MLP the workers' input reads took 40-70 ms over HTTP (docs/distributed.md).
 */
export class SharedInputDir {
  /** Each run's files, by the id of the distinct region written (settling to the file's name). */
  private readonly files = new Map<string, Map<number, Promise<string>>>();
  private count = 0;

  private constructor(
    /** What workers are told (the run's meta). */
    readonly shared: SharedInputs,
  ) {}

  /**
   * A fresh directory under `/dev/shm` (mode 0700, named with this process id), or undefined
   * where there is none (not Linux, or no writable tmpfs there): the data plane then serves
   * everything over HTTP. Directories a dead coordinator of this user left behind go first.
   */
  static create(): SharedInputDir | undefined {
    try {
      if (!statSync(ROOT).isDirectory()) return undefined;
      sweepOrphans();
      const dir = mkdtempSync(join(ROOT, `${PREFIX}${process.pid}-`));
      const probe = randomBytes(16).toString("hex");
      writeFileSync(join(dir, "probe"), probe, { mode: 0o600 });
      return new SharedInputDir({ dir, probe });
    } catch {
      return undefined;
    }
  }

  /**
   * The name of the file holding region `id` of `run` (the bytes `bytes()` gives), once
   * written: each region is written once per run, however many of its loads are read, and
   * stays until `drop(run)` (readers do not delete it, another may read it too).
   */
  share(run: string, id: number, bytes: () => Uint8Array): Promise<string> {
    let names = this.files.get(run);
    if (names === undefined) {
      names = new Map();
      this.files.set(run, names);
    }
    let name = names.get(id);
    if (name === undefined) {
      name = this.write(run, `${run}.${id}.${this.count++}`, bytes);
      // A failed write is asked for again (and fails again, or not) by the next reader.
      name.catch(() => names.delete(id));
      names.set(id, name);
    }
    return name;
  }

  private async write(run: string, name: string, bytes: () => Uint8Array): Promise<string> {
    const data = bytes();
    const path = join(this.shared.dir, name);
    const file = await open(path, "wx", 0o600);
    try {
      let at = 0;
      while (at < data.byteLength) {
        const { bytesWritten } = await file.write(data, at, data.byteLength - at, at);
        at += bytesWritten;
      }
    } catch (error) {
      // A full tmpfs (a container's 64 MB /dev/shm): the part written goes, the reader uses HTTP.
      await file.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    await file.close();
    // The run ended while this was written: nobody reads it now.
    if (!this.files.has(run)) {
      await unlink(path).catch(() => {});
      throw new Error(`run ${run} ended`);
    }
    return name;
  }

  /** Deletes the files of `run` (it ended: nothing reads them any more). */
  drop(run: string): void {
    const names = this.files.get(run);
    this.files.delete(run);
    for (const name of names?.values() ?? []) {
      name.then((n) => unlink(join(this.shared.dir, n))).catch(() => {});
    }
  }

  /** Deletes the directory and everything in it. */
  async close(): Promise<void> {
    this.files.clear();
    await rm(this.shared.dir, { recursive: true, force: true });
  }
}

/** Deletes this user's coordinator directories whose process is gone (killed before `close`). */
function sweepOrphans(): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(ROOT)) {
    const m = /^tessera-(\d+)-/.exec(name);
    if (m === null) continue;
    const path = join(ROOT, name);
    try {
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      if (alive(Number(m[1]))) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to read: leave it.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when this process reads the `probe` the coordinator wrote: it shares the coordinator's machine and may read its files. */
export function sharesMachine(shared: SharedInputs): boolean {
  // Only a coordinator's directory: a foreign meta cannot point a worker's reads elsewhere.
  if (!/^\/dev\/shm\/tessera-\d+-[A-Za-z0-9]+$/.test(shared.dir)) return false;
  try {
    return readFileSync(join(shared.dir, "probe"), "utf8") === shared.probe;
  } catch {
    return false;
  }
}

/**
 * Reads the `into.byteLength` bytes of file `name` of `shared` into `into`; false when it is
 * missing or not that size (the caller reads over HTTP instead).
 */
export async function readSharedFile(shared: SharedInputs, name: string, into: Uint8Array): Promise<boolean> {
  if (!SHARED_FILE.test(name)) return false;
  const path = join(shared.dir, name);
  try {
    const file = await open(path, "r");
    try {
      if ((await file.stat()).size !== into.byteLength) return false;
      let at = 0;
      while (at < into.byteLength) {
        const { bytesRead } = await file.read(into, at, into.byteLength - at, at);
        if (bytesRead === 0) return false;
        at += bytesRead;
      }
      return true;
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
}
