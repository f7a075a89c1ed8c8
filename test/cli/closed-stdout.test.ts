import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { endQuietlyOnClosedPipe } from "../../src/cli/closed-stdout.js";
import { runCli } from "../support/run-cli.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "tessera-pipe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a closed stdout ends the command quietly", () => {
  it("EPIPE on the stream exits 0; other errors still surface", () => {
    const codes: number[] = [];
    const stream = new PassThrough();
    endQuietlyOnClosedPipe(stream, (c) => codes.push(c));
    endQuietlyOnClosedPipe(stream, (c) => codes.push(c + 100));
    stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(codes).toEqual([0]);
    expect(() => stream.emit("error", Object.assign(new Error("boom"), { code: "EIO" }))).toThrow("boom");
  });

  it("tessera simulate into a pipe whose reader has gone: exit 0, nothing on stderr", async () => {
    const plan = join(dir, "plan.json");
    expect(
      (await runCli(["shard", "examples/mlp.json", "--devices", "4", "--split", "fc1=0:2", "-o", plan])).code,
    ).toBe(0);
    // The CLI from sources (no rebuild of dist/), as bin/tessera runs it.
    const entry = `const { main } = await import(${JSON.stringify(join(root, "src/cli/main.ts"))}); process.exitCode = await main(process.argv.slice(1));`;
    const args = [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      entry,
      "simulate",
      plan,
      "--cluster",
      "dgx-a100",
    ];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    // The reader goes away before the command writes anything, as `| true` would.
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    expect(err).toBe("");
    expect(code).toBe(0);
  });
});
