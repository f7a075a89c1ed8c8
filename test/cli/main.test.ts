import { describe, expect, it, vi } from "vitest";
import { EXIT_USER_ERROR, main } from "../../src/cli/main.js";
import { DEFAULT_MATMUL_DEMO, matmulGeometryDemo } from "../../src/cli/matmul-geometry-demo.js";
import { textTable } from "../../src/cli/text-table.js";

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    const code = await main(argv, (s) => {
      out += s;
    });
    return { code, out, err };
  } finally {
    spy.mockRestore();
  }
}

describe("tessera CLI", () => {
  it("demo prints the matmul shard geometry and exits 0", async () => {
    const r = await run(["demo"]);
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

  it("--help exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("demo");
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
