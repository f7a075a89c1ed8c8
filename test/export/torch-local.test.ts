// `python3 plan.py --local`: the exported script starts its own ranks on this machine, for
// people without torchrun (Debian's torchrun 1.13 fails at start-up under Python 3.12).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan } from "../../src/plan/index.js";
import { caseArguments, expectMatches, PYTHON, prepareCase } from "./torch-harness.js";

describe("an exported script started with --local", () => {
  it("starts one process per plan device and equals the reference", { timeout: 120_000 }, () => {
    const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
    const c = prepareCase(
      "mlp on 3 ranks, --local",
      makePlan(mlp, {
        devices: ["d0", "d1", "d2"],
        splits: { fc1: [{ dim: 0, parts: 3 }], fc2: [{ dim: 0, parts: 3 }] },
      }),
      9,
    );
    const r = spawnSync(PYTHON, [join(c.dir, "plan.py"), "--local", ...caseArguments(c)], {
      encoding: "utf8",
      timeout: 110_000,
      env: { ...process.env, GLOO_SOCKET_IFNAME: "lo", OMP_NUM_THREADS: "1" },
    });
    expect(r.status, r.stderr).toBe(0);
    expectMatches(c);
  });
});
