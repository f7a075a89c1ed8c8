import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { compareOutputs } from "../../src/exec/compare-outputs.js";
import { evaluateProgram, programOutputs, randomInputs, termScales } from "../../src/exec/reference/index.js";
import { readTensorValues, writeTensorValues } from "../../src/exec/tensor-io.js";
import { verifyTolerance } from "../../src/exec/verify-tolerance.js";
import { exportTorch, type TorchExport, writeTorchExport } from "../../src/export/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import type { Plan } from "../../src/plan/index.js";
import { freePort } from "../support/free-port.js";

/** The Python with Debian's python3-torch (not a pyenv shim that lacks it). */
export const PYTHON = "/usr/bin/python3";

const registry = builtinRegistry();

/** What one rank of an exported run reports with `--stats`. */
export interface RankStats {
  readonly rank: number;
  readonly device: string;
  readonly sent: number;
  readonly received: number;
  readonly p2p_sent: number;
  readonly p2p_received: number;
  readonly messages: number;
  readonly collectives: readonly {
    kind: string;
    members: number[];
    bytes: number;
    sent: number;
    received: number;
  }[];
}

/** One exported plan to run: where its files are, and what it must produce and move. */
export interface TorchCase {
  readonly label: string;
  readonly plan: Plan;
  readonly exported: TorchExport;
  readonly dir: string;
  readonly seed: number;
}

const root = mkdtempSync(join(tmpdir(), "tessera-torch-"));
let serial = 0;

/** Exports `plan` into a fresh folder with its inputs (seeded) as a safetensors file. */
export function prepareCase(label: string, plan: Plan, seed = 0, collectives = true): TorchCase {
  const dir = join(root, `case-${serial++}`);
  mkdirSync(dir);
  const exported = exportTorch(plan, registry, { collectives });
  writeTorchExport(dir, exported);
  writeTensorValues(join(dir, "inputs.safetensors"), randomInputs(plan.program, seed));
  return { label, plan, exported, dir, seed };
}

/** The arguments of a case's exported plan.py: its inputs, and where its outputs and stats go, all in its folder. */
export function caseArguments(c: TorchCase): string[] {
  const at = (file: string) => join(c.dir, file);
  return [
    "--inputs",
    at("inputs.safetensors"),
    "--out",
    at("outputs.safetensors"),
    "--stats",
    at("stats.json"),
  ];
}

/** Runs every case (all with `world` ranks) in ONE launch of `world` processes: python and torch start once. */
const DRIVER = `
import importlib.util, json, sys
import torch.distributed as dist
dist.init_process_group("gloo")
for i, case in enumerate(json.load(open(sys.argv[1]))):
    spec = importlib.util.spec_from_file_location(f"case{i}", case["script"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(case["args"])
dist.destroy_process_group()
`;

/**
 * Launches the exported scripts of `cases` on `world` local processes (gloo on loopback, a free
 * port), all cases in one process group one after the other. Fails with every rank's stderr
 * when any process fails — including when torch is not installed.
 */
export async function launch(world: number, cases: readonly TorchCase[]): Promise<void> {
  if (cases.length === 0) return;
  const dir = join(root, `launch-${serial++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "driver.py"), DRIVER);
  const list = cases.map((c) => ({ script: join(c.dir, "plan.py"), args: caseArguments(c) }));
  writeFileSync(join(dir, "cases.json"), JSON.stringify(list));
  const port = await freePort();
  const runs = Array.from(
    { length: world },
    (_, rank) =>
      new Promise<{ rank: number; code: number | null; err: string }>((resolve) => {
        const child = spawn(PYTHON, [join(dir, "driver.py"), join(dir, "cases.json")], {
          env: {
            ...process.env,
            RANK: String(rank),
            WORLD_SIZE: String(world),
            LOCAL_RANK: String(rank),
            MASTER_ADDR: "127.0.0.1",
            MASTER_PORT: String(port),
            GLOO_SOCKET_IFNAME: "lo",
            OMP_NUM_THREADS: "1",
          },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let err = "";
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        child.on("error", (e) => resolve({ rank, code: -1, err: String(e) }));
        child.on("close", (code) => resolve({ rank, code, err }));
      }),
  );
  const results = await Promise.all(runs);
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length > 0)
    throw new Error(
      `exported scripts failed (${cases.map((c) => c.label).join(", ")}):\n${failed.map((r) => `rank ${r.rank} exit ${r.code}:\n${r.err.slice(-3000)}`).join("\n")}`,
    );
}

/** The `--stats` of a case's run, by rank. */
export function statsOf(c: TorchCase): RankStats[] {
  return (JSON.parse(readFileSync(join(c.dir, "stats.json"), "utf8")) as { ranks: RankStats[] }).ranks;
}

/**
 * Checks a finished case: every output equals the reference evaluator's (int32 exactly, floats
 * within the verify tolerance), and every rank sent exactly the bytes the plan derives.
 */
export function expectMatches(c: TorchCase): void {
  const program = c.plan.program;
  const inputs = randomInputs(program, c.seed);
  const values = evaluateProgram(program, inputs, registry);
  const reference = programOutputs(program, values);
  const got = readTensorValues([join(c.dir, "outputs.safetensors")]);
  for (const e of compareOutputs(got, reference, termScales(program, values))) {
    const dtype = reference[e.tensor]!.dtype;
    expect(e.comparable, `${c.label}: ${e.tensor} has the reference's dtype and range`).toBe(true);
    if (dtype === "int32") expect(e.exact, `${c.label}: ${e.tensor} (int32) exactly`).toBe(true);
    else
      expect(e.maxRel, `${c.label}: ${e.tensor} (${dtype}) max rel err`).toBeLessThanOrEqual(
        verifyTolerance(dtype),
      );
  }
  // Point to point: exactly the derived bytes per rank. Collectives: their algorithm's bytes,
  // which over all ranks add up to the derived bytes they replace.
  const stats = statsOf(c);
  for (const t of c.exported.traffic) {
    const s = stats.find((r) => r.rank === t.rank)!;
    expect({ label: c.label, rank: t.rank, sent: s.p2p_sent, received: s.p2p_received }).toEqual({
      label: c.label,
      rank: t.rank,
      ...t.pointToPoint,
    });
  }
  const total = (f: (s: RankStats) => number) => stats.reduce((sum, s) => sum + f(s), 0);
  expect(
    total((s) => s.sent),
    `${c.label}: bytes sent`,
  ).toBeCloseTo(c.exported.bytes, 3);
  expect(
    total((s) => s.received),
    `${c.label}: bytes received`,
  ).toBeCloseTo(c.exported.bytes, 3);
}
