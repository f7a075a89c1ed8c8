import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataPlane, RegionClient } from "../../../src/exec/distributed/region-client.js";
import { RegionServer } from "../../../src/exec/distributed/region-server.js";

let server: RegionServer;
const client = new RegionClient();
const received: [number, number[]][] = [];
const input = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

function plane(token = "s3cret"): DataPlane {
  return { url: server.url, token, loads: [] };
}

/** The HTTP status of a raw request to the server (what a foreign client gets). */
function status(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(body);
  });
}

beforeAll(async () => {
  server = await RegionServer.start("127.0.0.1", "127.0.0.1");
  server.add("run1", {
    token: "s3cret",
    input: (n) => (n === 0 ? { id: 0, bytes: () => input } : undefined),
    served: () => {},
    outputBytes: (n) => (n === 0 ? 4 : undefined),
    receive: (n, bytes) => received.push([n, [...new Uint8Array(bytes)]]),
  });
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe("the coordinator's data server (direct data plane)", () => {
  it("serves an input region's bytes and takes an output block", async () => {
    const bytes = await client.getInput(plane(), "run1", 0, input.byteLength);
    expect([...new Uint8Array(bytes!)]).toEqual([...input]);
    expect(await client.putOutput(plane(), "run1", 0, new Uint8Array([9, 8, 7, 6]))).toBe(true);
    expect(received).toEqual([[0, [9, 8, 7, 6]]]);
  });

  it("receives the next blocks into the buffers a run gave back, and only of their exact size", async () => {
    const blocks: ArrayBuffer[] = [];
    server.add("run3", {
      token: "s3cret",
      input: () => undefined,
      served: () => {},
      outputBytes: (n) => (n === 0 ? 4 : 8),
      receive: (_, bytes) => blocks.push(bytes),
    });
    try {
      const given = new ArrayBuffer(4);
      server.recycle([given]);
      expect(await client.putOutput(plane(), "run3", 1, new Uint8Array(8).fill(1))).toBe(true);
      expect(await client.putOutput(plane(), "run3", 0, new Uint8Array([4, 3, 2, 1]))).toBe(true);
      // The 8-byte block could not take it; the 4-byte one did, and the next one gets a new buffer.
      expect(blocks[0]).not.toBe(given);
      expect(blocks[1]).toBe(given);
      expect([...new Uint8Array(given)]).toEqual([4, 3, 2, 1]);
      expect(await client.putOutput(plane(), "run3", 0, new Uint8Array(4))).toBe(true);
      expect(blocks[2]).not.toBe(given);
    } finally {
      server.remove("run3");
    }
  });

  it("answers a run it does not serve (ended) with nothing: no bytes, nothing stored", async () => {
    expect(await client.getInput(plane(), "run2", 0, 8)).toBeUndefined();
    expect(await client.putOutput(plane(), "run2", 0, new Uint8Array(4))).toBe(false);
  });

  it("refuses a wrong token, a wrong size, an unknown region, a wrong method and a bad path", async () => {
    await expect(client.getInput(plane("guess"), "run1", 0, 8)).rejects.toMatchObject({
      code: "coordinator_unreachable",
      context: { cause: "HTTP 403" },
    });
    expect(await status("GET", "run/run1/in/0", {})).toBe(403);
    const auth = { authorization: "Bearer s3cret" };
    expect(await status("PUT", "run/run1/out/0", auth, Buffer.alloc(5))).toBe(400);
    expect(await status("GET", "run/run1/in/7", auth)).toBe(404);
    expect(await status("PUT", "run/run1/out/7", auth, Buffer.alloc(4))).toBe(404);
    expect(await status("PUT", "run/run1/in/0", auth, Buffer.alloc(4))).toBe(405);
    expect(await status("GET", "run/run1/out/0", auth)).toBe(405);
    expect(await status("GET", "/etc/passwd", auth)).toBe(400);
    expect(received).toHaveLength(1);
  });

  it("fails a read whose size is not the region's with coordinator_unreachable", async () => {
    await expect(client.getInput(plane(), "run1", 0, 4)).rejects.toMatchObject({
      code: "coordinator_unreachable",
    });
  });

  it("fails with coordinator_unreachable when nothing listens at the coordinator's address", async () => {
    const gone = await RegionServer.start("127.0.0.1", "127.0.0.1");
    const url = gone.url;
    await gone.close();
    const dead: DataPlane = { url, token: "s3cret", loads: [] };
    await expect(client.getInput(dead, "run1", 0, 8)).rejects.toMatchObject({
      code: "coordinator_unreachable",
    });
    await expect(client.putOutput(dead, "run1", 0, new Uint8Array(4))).rejects.toMatchObject({
      code: "coordinator_unreachable",
    });
  });
});
