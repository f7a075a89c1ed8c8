// Ids are user data: Object.prototype member names are ids like any other, in every command.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-proto-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mlp = readFileSync("examples/mlp.json", "utf8");

describe.each(["toString", "valueOf", "constructor", "__proto__", "hasOwnProperty"])("the id %s", (name) => {
  it.each(["fc1", "y", "w1"])("named for '%s': validate, eval, shard (and run) succeed", async (id) => {
    const file = join(dir, `${name}-${id}.json`);
    writeFileSync(file, mlp.replaceAll(`"${id}"`, JSON.stringify(name)));
    const plan = join(dir, `${name}-${id}.plan.json`);
    const split = id === "fc1" ? `${name}=0:2` : "fc1=0:2";
    for (const argv of [
      ["validate", file],
      ["eval", file],
      ["shard", file, "--split", split, "--devices", "2", "-o", plan],
      // One run per name: worker threads are slow to start, and the plan's ids reach them all alike.
      ...(id === "fc1" ? [["run", plan, "--workers", "1"]] : []),
    ]) {
      const r = await runCli(argv);
      // run says on stderr how to stop it; nothing else may be printed there.
      expect(r.err.replace(/^running '.*' \(Ctrl-C stops\)\n/m, ""), argv.join(" ")).toBe("");
      expect(r.code, argv.join(" ")).toBe(0);
    }
  });
});
