import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataPlane, RegionClient } from "../../../src/exec/distributed/region-client.js";
import { RegionServer, type ServedRun } from "../../../src/exec/distributed/region-server.js";
import { SharedInputDir, sharesMachine } from "../../../src/exec/distributed/shared-input-dir.js";

// Linux test machines have a tmpfs at /dev/shm: the shared-memory path must be taken there.
let server: RegionServer;
const client = new RegionClient();
const asked: [number, boolean][] = [];
// Larger than a socket's chunk: over HTTP it would arrive in many.
const input = new Uint8Array(3 << 20).map((_, i) => i % 251);

function plane(over: Partial<DataPlane> = {}): DataPlane {
  return {
    url: server.url,
    token: "s3cret",
    loads: [],
    ...(server.shared ? { shared: server.shared } : {}),
    ...over,
  };
}

/** The status and body of a raw request (what a client that does not read the file gets). */
function raw(method: string, path: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server.url),
      { method, headers: { authorization: "Bearer s3cret" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve([res.statusCode ?? 0, text]));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

/** A run serving `input` as every input, one distinct region, recording how each was handed over (true: shared memory). */
function recordingRun(served: boolean[]): ServedRun {
  return {
    token: "s3cret",
    input: () => ({ id: 0, bytes: () => input }),
    served: (_, shared) => served.push(shared),
    outputBytes: () => undefined,
    receive: () => {},
  };
}

function files(): string[] {
  return readdirSync(server.shared!.dir).filter((f) => f !== "probe");
}

beforeAll(async () => {
  server = await RegionServer.start("127.0.0.1", "127.0.0.1", true);
  server.add("run1", {
    token: "s3cret",
    // Loads 0 and 1 are the same region: one file.
    input: (n) => (n <= 1 ? { id: 0, bytes: () => input } : undefined),
    served: (n, shared) => asked.push([n, shared]),
    outputBytes: () => undefined,
    receive: () => {},
  });
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe("input regions in shared memory for workers on the coordinator's machine", () => {
  it("has a directory of its own in /dev/shm that only this user reads", () => {
    expect(server.shared).toBeDefined();
    const { dir } = server.shared!;
    expect(dir.startsWith("/dev/shm/tessera-")).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(sharesMachine(server.shared!)).toBe(true);
  });

  it("hands inputs over in files the workers read, one file per distinct region, kept until the run ends", async () => {
    asked.length = 0;
    const bytes = await client.getInput(plane(), "run1", 0, input.byteLength);
    expect(Buffer.from(bytes!).equals(input)).toBe(true);
    const again = await client.getInput(plane(), "run1", 1, input.byteLength);
    expect(Buffer.from(again!).equals(input)).toBe(true);
    expect(asked).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(files()).toHaveLength(1);
  });

  it("writes offered inputs before any worker asks, and deletes a run's files when it ends", async () => {
    server.add("run4", {
      token: "s3cret",
      input: (n) => ({ id: n, bytes: () => input }),
      served: () => {},
      outputBytes: () => undefined,
      receive: () => {},
    });
    const before = files().length;
    server.offer("run4", [0, 1]);
    for (let k = 0; k < 100 && files().filter((f) => f.startsWith("run4.")).length < 2; k++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(files().filter((f) => f.startsWith("run4."))).toHaveLength(2);
    const [status, name] = await raw("POST", "run/run4/shm/1");
    expect(status).toBe(200);
    expect(files()).toContain(name);
    expect(files()).toHaveLength(before + 2);
    server.remove("run4");
    await new Promise((r) => setTimeout(r, 50));
    expect(files().filter((f) => f.startsWith("run4."))).toEqual([]);
  });

  it("reads over HTTP when the worker does not find the coordinator's probe (another machine)", async () => {
    asked.length = 0;
    const elsewhere = plane({ shared: { dir: server.shared!.dir, probe: "0".repeat(32) } });
    const bytes = await client.getInput(elsewhere, "run1", 0, input.byteLength);
    expect(Buffer.from(bytes!).equals(input)).toBe(true);
    expect(asked).toEqual([[0, false]]);
  });

  it("never reads outside a coordinator's directory, whatever the meta says", () => {
    expect(sharesMachine({ dir: "/etc", probe: "x" })).toBe(false);
    expect(sharesMachine({ dir: "/dev/shm/tessera-1-x/../../etc", probe: "x" })).toBe(false);
  });

  it("answers a run it no longer serves with nothing, as over HTTP", async () => {
    expect(await client.getInput(plane(), "ended", 0, 8)).toBeUndefined();
    expect(await client.getInput(plane(), "run1", 5, 8)).toBeUndefined();
  });

  it("deletes the files of a run that ends, read or not", async () => {
    server.add("run2", {
      token: "s3cret",
      input: () => ({ id: 0, bytes: () => input }),
      served: () => {},
      outputBytes: () => undefined,
      receive: () => {},
    });
    const [status, name] = await raw("POST", "run/run2/shm/0");
    expect(status).toBe(200);
    expect(files()).toContain(name);
    server.remove("run2");
    await new Promise((r) => setTimeout(r, 50));
    expect(files()).not.toContain(name);
  });

  it("refuses a wrong method, and a server without shared memory says so (the worker reads over HTTP)", async () => {
    expect((await raw("GET", "run/run1/shm/0"))[0]).toBe(405);
    const plain = await RegionServer.start("127.0.0.1", "127.0.0.1");
    try {
      expect(plain.shared).toBeUndefined();
      const served: boolean[] = [];
      plain.add("run1", recordingRun(served));
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          new URL("run/run1/shm/0", plain.url),
          { method: "POST", headers: { authorization: "Bearer s3cret" } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(501);
      // A meta naming a directory this coordinator does not have: the read goes over HTTP.
      const bytes = await client.getInput(
        { url: plain.url, token: "s3cret", loads: [], shared: server.shared! },
        "run1",
        0,
        input.byteLength,
      );
      expect(Buffer.from(bytes!).equals(input)).toBe(true);
      expect(served).toEqual([false]);
    } finally {
      await plain.close();
    }
  });

  it("reads over HTTP when the coordinator cannot write the file (its shared memory full or gone)", async () => {
    const broken = await RegionServer.start("127.0.0.1", "127.0.0.1", true);
    try {
      const served: boolean[] = [];
      broken.add("run1", recordingRun(served));
      const shared = broken.shared!;
      // The worker has seen the probe; then the directory goes (as a full tmpfs fails a write).
      const fresh = new RegionClient();
      try {
        const plane = { url: broken.url, token: "s3cret", loads: [], shared };
        expect(Buffer.from((await fresh.getInput(plane, "run1", 0, input.byteLength))!).equals(input)).toBe(
          true,
        );
        rmSync(shared.dir, { recursive: true, force: true });
        served.length = 0;
        broken.add("run2", recordingRun(served));
        const bytes = await fresh.getInput(plane, "run2", 0, input.byteLength);
        expect(Buffer.from(bytes!).equals(input)).toBe(true);
        // Counted once, as served over HTTP: the failed write handed nothing over.
        expect(served).toEqual([false]);
      } finally {
        fresh.close();
      }
    } finally {
      await broken.close();
    }
  });

  it("removes its directory on close, and a dead coordinator's directory when the next one starts", async () => {
    const other = SharedInputDir.create()!;
    const dir = other.shared.dir;
    await other.close();
    expect(existsSync(dir)).toBe(false);
    // A process that has exited: its pid names a coordinator killed before it could clean up.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    const orphan = `/dev/shm/tessera-${gone}-orphan`;
    mkdirSync(orphan, { mode: 0o700 });
    writeFileSync(join(orphan, "probe"), "x");
    const next = SharedInputDir.create()!;
    try {
      expect(existsSync(orphan)).toBe(false);
      // A live coordinator's directory (this process's) stays.
      expect(existsSync(server.shared!.dir)).toBe(true);
    } finally {
      await next.close();
    }
  });
});
