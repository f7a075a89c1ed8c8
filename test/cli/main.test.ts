import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultDemoOptions, runDemo } from "../../src/cli/demo.js";
import { EXIT_USER_ERROR } from "../../src/cli/main.js";
import { DEFAULT_MATMUL_DEMO, matmulGeometryDemo } from "../../src/cli/matmul-geometry-demo.js";
import { textTable } from "../../src/cli/text-table.js";
import { tensorsFromJson } from "../../src/exec/tensor-file.js";
import { program } from "../../src/frontend/index.js";
import { programToJson } from "../../src/ir/index.js";
import { runCli } from "../support/run-cli.js";

const run = runCli;

describe("tessera CLI", () => {
  it("geometry prints the matmul shard geometry and exits 0", async () => {
    const r = await run(["geometry"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("12 shards");
    expect(r.out).toContain("tile the index space exactly: yes");
  });

  it("an unknown command is a usage error: exit 2, message on stderr, no stack trace", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("unknown command");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("a missing --kernels file is a readable error (exit 2), not a crash", async () => {
    const r = await run(["validate", "--kernels", "/nonexistent/kernel.yaml", "examples/mlp.json"]);
    expect(r.code).toBe(EXIT_USER_ERROR);
    expect(r.err).toContain("error[file_not_found] cannot read /nonexistent/kernel.yaml: no such file");
    expect(r.err).not.toContain("internal error");
  });

  it("--help exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("demo");
  });
});

describe("tessera validate on unshardable operations", () => {
  it("says which operations cannot be sharded and why, while the program stays valid", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-validate-"));
    try {
      const p = program("reshape-demo");
      p.output("y", p.relu(p.reshape(p.input("x", [4, 6]), [3, 8], { id: "flatten" })));
      const file = join(dir, "reshape.json");
      writeFileSync(file, JSON.stringify(programToJson(p.build())));
      const r = await run(["validate", file]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(
        "note: operation 'flatten' (reshape) cannot be sharded: reshape is not an affine projection",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the end-to-end demo", () => {
  it("validates, evaluates, shards and runs the transformer block on workers, verified against the reference", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-demo-"));
    try {
      let out = "";
      const opts = { ...defaultDemoOptions(fileURLToPath(new URL("../..", import.meta.url))), outDir: dir };
      const ok = await runDemo(opts, (s) => {
        out += s;
      });
      expect(ok).toBe(true);
      expect(out).toContain("Verified: the sharded run equals the unsharded reference.");
      expect(out).toMatch(/moved (\d+) bytes in \d+ transfers, exactly the \1 bytes derived/);
      expect(out).not.toMatch(/ +\n/);
      expect(out).toContain("17 operations, 31 tensors — valid");
      expect(out).toMatch(
        /training: an Adam step of this block \(tessera train-step\) is a program of \d+ operations \(17 forward/,
      );
      expect(out).toMatch(/y {2}float32 \[32, 64\] {2}sum=/);
      expect(out).toContain("Operation 'mlp_up' (linear)");
      expect(out).toContain("each output block is 2 partial results folded with sum");
      const written = tensorsFromJson(
        JSON.parse(readFileSync(join(dir, "transformer-block.outputs.json"), "utf8")),
      );
      expect(written.y?.range.shape.toArray()).toEqual([32, 64]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("matmul geometry demo", () => {
  it("reports the uneven split, exact tiling and the partial sums of a split reduction", () => {
    const text = matmulGeometryDemo(DEFAULT_MATMUL_DEMO);
    expect(text).toContain("500 in 3 is 167/167/166");
    expect(text).toContain("C regions tile C in 6 blocks: yes; each block has 2 partial sums");
  });

  it("reports no replication when only the reduction dimension is split", () => {
    const text = matmulGeometryDemo({ m: 8, n: 8, k: 8, splits: [{ dim: 2, parts: 4 }] });
    expect(text).toContain("1.00× replication");
  });
});

describe("textTable", () => {
  it("aligns columns under the header, right-aligning where asked", () => {
    expect(textTable(["a", "bb"], [["10", "x"]], ["right"])).toBe(" a  bb\n10  x");
  });
});
