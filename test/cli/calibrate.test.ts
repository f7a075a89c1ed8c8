import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCluster } from "../../src/cluster/index.js";
import { KERNEL_CLASSES } from "../../src/exec/index.js";
import { loadProgramFile } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson } from "../../src/plan/index.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-calibrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tessera calibrate", () => {
  it("measures, prints the figures and writes a cluster file that simulate accepts", async () => {
    // A folder that does not exist yet: calibrate creates it.
    const file = join(dir, "sub", "local.json");
    const r = await runCli(["calibrate", "--quick", "--workers", "2", "-o", file]);
    expect(r.code, r.err).toBe(0);
    for (const figure of ["float32 matmul", "float64 matmul", "int32 matmul", "memory bandwidth"])
      expect(r.out).toContain(figure);
    expect(r.out).toMatch(/launch overhead\s+[\d.]+ [µm]?s/);
    expect(r.out).toMatch(/transfer bandwidth\s+[\d.]+ [KMG]?i?B\/s/);
    expect(r.out).toMatch(/transfer latency\s+[\d.]+ [µm]?s/);
    expect(r.out).toContain(`wrote ${file}`);
    // Progress names every step, numbered 1..n of n.
    const steps = [...r.err.matchAll(/calibrating \[(\d+)\/(\d+)\] ([^…\n]+)/g)];
    expect(steps.map((m) => Number(m[1]))).toEqual(steps.map((_, i) => i + 1));
    expect(new Set(steps.map((m) => Number(m[2])))).toEqual(new Set([steps.length]));
    expect(steps.map((m) => m[3])).toEqual(
      expect.arrayContaining([
        "transfers",
        "kernels, one worker alone",
        "executor overheads",
        "input copies",
      ]),
    );
    // A step per kernel class.
    expect(steps.map((m) => m[3])).toEqual(
      expect.arrayContaining(KERNEL_CLASSES.map((c) => `${c.name} kernels`)),
    );
    for (const figure of [
      "matmul kernels, 2 at once",
      "matmul kernels, one alone",
      "conv2d kernels",
      "softmax kernels",
      "task dispatch",
      "output fetch",
      "input copies",
    ])
      expect(r.out).toContain(figure);

    const cluster = loadCluster(file);
    expect(cluster.name).toBe("local-calibrated");
    expect(cluster.devices.map((d) => d.id)).toEqual(["local.d0", "local.d1"]);
    const type = cluster.deviceTypes["cpu-thread"]!;
    for (const dtype of ["float32", "float64", "int32"] as const)
      expect(type.peakFlops[dtype]).toBeGreaterThan(0);
    expect(type.memoryBandwidth).toBeGreaterThan(0);
    expect(type.memoryBytes).toBeGreaterThan(0);
    expect(type.launchOverhead).toBeGreaterThan(0);
    expect(cluster.intraHost.bandwidth).toBeGreaterThan(0);
    expect(cluster.intraHost.latency).toBeGreaterThan(0);
    expect(cluster.sources.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(1);

    const mlp = loadProgramFile("examples/mlp.json", builtinRegistry());
    const planFile = join(dir, "mlp.plan.json");
    writeFileSync(
      planFile,
      JSON.stringify(
        planToJson(makePlan(mlp, { devices: ["d0", "d1"], splits: { fc1: [{ dim: 1, parts: 2 }] } })),
      ),
    );
    const sim = await runCli(["simulate", planFile, "--cluster", file]);
    expect(sim.code, sim.err).toBe(0);
    expect(sim.out).toContain("on cluster 'local-calibrated'");
  });

  it("refuses an output path it cannot write, before measuring", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "not a folder");
    const r = await runCli(["calibrate", "--quick", "--workers", "2", "-o", join(blocker, "cluster.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[write_failed]");
    expect(r.err).toContain("cannot write the cluster file");
    expect(r.err).not.toContain("calibrating");
    const onDir = await runCli(["calibrate", "--quick", "--workers", "2", "-o", dir]);
    expect(onDir.code).toBe(2);
    expect(onDir.err).toContain("EISDIR");
  });

  it.each([["0"], ["two"], ["-3"]])("refuses --workers %s as a usage error", async (workers) => {
    const r = await runCli(["calibrate", "--quick", "--workers", workers, "-o", join(dir, "w.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a positive integer|unknown option|error/);
  });

  it("refuses one worker and too many, and an unknown backend, with exit 2 and no folder made", async () => {
    const target = join(dir, "never", "made.json");
    const one = await runCli(["calibrate", "--quick", "--workers", "1", "-o", target]);
    expect(one.code).toBe(2);
    expect(one.err).toContain("error[invalid_option]");
    expect(one.err).toContain("workers must be an integer from 2 to 256");
    const many = await runCli(["calibrate", "--quick", "--workers", "999", "-o", target]);
    expect(many.code).toBe(2);
    expect(many.err).toContain("error[invalid_option]");
    const backend = await runCli(["calibrate", "--quick", "--backend", "cuda", "-o", target]);
    expect(backend.code).toBe(2);
    expect(backend.err).toContain("backend must be 'reference' or 'onnx'");
    expect(() => readFileSync(target)).toThrow();
    expect(() => readFileSync(join(dir, "never"))).toThrow();
  });
});
