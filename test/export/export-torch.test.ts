import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TesseraError } from "../../src/base/errors.js";
import { randomInputs } from "../../src/exec/index.js";
import { readTensorValues, writeTensorValues } from "../../src/exec/tensor-io.js";
import { exportTorch, TORCH_LOWERINGS, torchLoweringFor } from "../../src/export/index.js";
import { loadProgramFile, program } from "../../src/frontend/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { BUILTIN_KERNELS, builtinRegistry } from "../../src/kernels/library/index.js";
import { extendRegistry } from "../../src/kernels/registry.js";
import { makePlan, planToJson } from "../../src/plan/index.js";
import { runCli } from "../support/run-cli.js";
import { thrown } from "../support/thrown.js";

const registry = builtinRegistry();
const dir = mkdtempSync(join(tmpdir(), "tessera-export-"));
const mlp = loadProgramFile("examples/mlp.json", registry);
const mlpPlan = makePlan(mlp, {
  devices: ["d0", "d1"],
  splits: { fc1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
});

/** A kernel declared as data, which has no torch lowering. */
const DECLARATION = "test/fixtures/kernels/squared-distance.yaml";

/** A program of one operation `dist` of the declared kernel `kernel` (squared_distance). */
function distances(kernel: ReturnType<typeof loadKernelDeclarationFile>) {
  const p = program("distances", { kernels: [kernel] });
  const d = p.call(
    "squared_distance",
    { x: p.input("x", [2, 2]), y: p.input("y", [2, 2]) },
    {},
    { id: "dist" },
  );
  p.output("d", d.out!);
  return p.build();
}

describe("torch lowerings", () => {
  it("every built-in kernel has one, and only built-in kernel objects get one", () => {
    expect(Object.keys(TORCH_LOWERINGS).sort()).toEqual(Object.keys(BUILTIN_KERNELS).sort());
    for (const def of Object.values(BUILTIN_KERNELS)) expect(torchLoweringFor(def)).toBeDefined();
    const declared = loadKernelDeclarationFile(DECLARATION);
    expect(torchLoweringFor(declared)).toBeUndefined();
  });

  it("a kernel declared as data is refused by name: not_exportable naming the operation and kernel", () => {
    const kernel = loadKernelDeclarationFile(DECLARATION);
    const plan = makePlan(distances(kernel), { devices: ["d0"] });
    const e = thrown(() => exportTorch(plan, extendRegistry(registry, [kernel]))) as TesseraError;
    expect(e).toBeInstanceOf(TesseraError);
    expect(e.code).toBe("not_exportable");
    expect(e.context).toMatchObject({ op: "dist", kernel: "squared_distance", target: "torch" });
  });
});

describe("the exported script", () => {
  it("has one function per device, comments naming operations and shards, and the derived traffic", () => {
    const e = exportTorch(mlpPlan, registry);
    expect(e.ranks).toBe(2);
    expect(e.script).toContain("def device_0(rt):");
    expect(e.script).toContain("def device_1(rt):");
    expect(e.script).toMatch(/# fc1#0: fc1 \(linear\) shard 1 of 2, index \[/);
    expect(e.script).toMatch(/# fc2#combine#0: fold the sum partials of fc2 block 0 from fc2#0, fc2#1/);
    expect(e.script).toContain("torchrun --nproc_per_node=2");
    expect(e.traffic.reduce((s, t) => s + t.sent, 0)).toBe(e.bytes);
    expect(e.traffic.reduce((s, t) => s + t.received, 0)).toBe(e.bytes);
  });
});

describe("tessera export", () => {
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(planToJson(mlpPlan)));

  it("writes plan.py, traffic.json and the given inputs as safetensors, and says how to run it", async () => {
    const given = join(dir, "given.safetensors");
    writeTensorValues(given, randomInputs(mlp, 4));
    const out = join(dir, "exported");
    const r = await runCli(["export", planFile, "--target", "torch", "-o", out, "--inputs", given]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/exported 'mlp' for torch\.distributed: 2 ranks/);
    expect(r.out).toContain(
      `torchrun --nproc_per_node=2 ${join(out, "plan.py")} --inputs ${join(out, "inputs.safetensors")}`,
    );
    expect(existsSync(join(out, "plan.py"))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "traffic.json"), "utf8"))).toMatchObject({ ranks: 2 });
    expect(Object.keys(readTensorValues([join(out, "inputs.safetensors")])).sort()).toEqual(
      [...mlp.inputs].sort(),
    );
  });

  it("an output folder that cannot be written exits 2 with write_failed", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a folder");
    const r = await runCli(["export", planFile, "-o", join(blocker, "sub")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("write_failed");
  });

  it("a plan using a kernel declared as data exits 2 with not_exportable naming the operation", async () => {
    const kernel = loadKernelDeclarationFile(DECLARATION);
    const declaredPlan = join(dir, "declared.plan.json");
    writeFileSync(
      declaredPlan,
      JSON.stringify(planToJson(makePlan(distances(kernel), { devices: ["d0", "d1"] }))),
    );
    const r = await runCli(["export", declaredPlan, "--kernels", DECLARATION, "-o", join(dir, "declared")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[not_exportable]");
    expect(r.err).toContain("'dist'");
  });

  it("an unknown --target exits 2 with invalid_argument", async () => {
    const r = await runCli(["export", planFile, "--target", "jax", "-o", join(dir, "x")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("invalid_argument");
  });
});
