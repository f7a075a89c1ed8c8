import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDistributed } from "../../../src/exec/distributed/index.js";
import { SHARED_MIN_BYTES } from "../../../src/exec/distributed/shared-input-dir.js";
import { evaluateProgram, programOutputs, randomInputs } from "../../../src/exec/reference/index.js";
import { program } from "../../../src/frontend/index.js";
import type { Program } from "../../../src/ir/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import type { Region } from "../../../src/kernels/region.js";
import { planToJson } from "../../../src/plan/index.js";
import { type RedisServer, startRedis } from "../../support/redis-server.js";
import { runCli } from "../../support/run-cli.js";
import { startWorkerProcess, type WorkerProcess } from "../../support/worker-processes.js";
import { exampleProgram, megatronMlpPlan } from "../local/example-programs.js";

let redis: RedisServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  workers = await Promise.all(["w1", "w2"].map((n) => startWorkerProcess(redis.url, n)));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill("SIGKILL")));
  await redis?.stop(true);
});

/** Every output of the run within `tolerance` of the reference evaluator's. */
function expectReferenceOutputs(
  prog: Program,
  inputs: Readonly<Record<string, Region>>,
  outputs: Readonly<Record<string, Region>>,
  tolerance: number,
): void {
  const reference = programOutputs(prog, evaluateProgram(prog, inputs, builtinRegistry()));
  for (const [id, r] of Object.entries(reference)) {
    const got = outputs[id]!;
    for (let k = 0; k < r.data.length; k++)
      expect(Math.abs(got.data[k]! - r.data[k]!)).toBeLessThan(tolerance);
  }
}

describe("the distributed executor", () => {
  it("runs a sharded MLP on two worker processes with the reference's outputs and exactly the derived transfers", async () => {
    const program = exampleProgram("mlp");
    const plan = megatronMlpPlan(program);
    const inputs = randomInputs(program, 1);
    const { outputs, stats } = await runDistributed(plan, inputs, { redis: redis.url });
    expectReferenceOutputs(program, inputs, outputs, 1e-4);
    expect(stats.bytesMoved).toBe(stats.bytesDerived);
    expect(stats.perWorker.map((w) => w.worker)).toEqual(["w1", "w2"]);
  });

  it("hands large inputs to workers on its machine through shared memory, small ones over HTTP", async () => {
    const p = program("wide-mlp");
    const h = p.relu(
      p.linear(p.input("x", [256, 512]), p.input("w1", [512, 512]), p.input("b1", [512]), { id: "fc1" }),
      {
        id: "act1",
      },
    );
    p.output("y", p.linear(h, p.input("w2", [512, 512]), p.input("b2", [512]), { id: "fc2" }));
    const wide = p.build();
    const plan = megatronMlpPlan(wide);
    const inputs = randomInputs(wide, 3);
    const { outputs, stats } = await runDistributed(plan, inputs, { redis: redis.url });
    expectReferenceOutputs(wide, inputs, outputs, 1e-3);
    // x (512 KiB) and the weight halves (512 KiB each) in shared memory; the biases over HTTP.
    const bias = 2 * 4 * 256 + 2 * 4 * 512;
    expect(stats.direct.inputsShared).toBeGreaterThanOrEqual(SHARED_MIN_BYTES);
    expect(stats.direct.inputsServed - stats.direct.inputsShared).toBeLessThanOrEqual(bias);
    expect(stats.direct.inputsServed - stats.direct.inputsShared).toBeGreaterThan(0);
  });

  it("sends inputs over HTTP to workers on its own machine when told not to use shared memory", async () => {
    const program = exampleProgram("mlp");
    const inputs = randomInputs(program, 2);
    const { outputs, stats } = await runDistributed(megatronMlpPlan(program), inputs, {
      redis: redis.url,
      sharedMemory: false,
    });
    expectReferenceOutputs(program, inputs, outputs, 1e-4);
    expect(stats.direct.inputsServed).toBeGreaterThan(0);
    expect(stats.direct.inputsShared).toBe(0);
  });

  it("runs a plan file with tessera run --executor distributed --verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-dist-"));
    try {
      const file = join(dir, "plan.json");
      writeFileSync(file, JSON.stringify(planToJson(megatronMlpPlan(exampleProgram("mlp")))));
      const runOn = (...extra: string[]) =>
        runCli(["run", file, "--executor", "distributed", "--redis", redis.url, ...extra, "--verify"]);
      const run = await runOn();
      expect(run.err).toBe("running 'mlp' (Ctrl-C stops)\n");
      expect(run.code).toBe(0);
      expect(run.out).toContain("over 2 workers");
      expect(run.out).toContain("worker w1");
      expect(run.out).toContain("verified: the sharded run equals the reference");
      // Workers reach the coordinator's data server at the address given.
      const named = await runOn("--data-host", "localhost", "--no-shared-memory");
      expect(named.code).toBe(0);
      expect(named.out).toContain("verified: the sharded run equals the reference");
      // A job per task, inputs and outputs through Redis: the same outputs, more jobs.
      const single = await runOn("--max-chain", "1", "--data-plane", "redis");
      expect(single.code, single.err).toBe(0);
      expect(single.out).toContain("verified: the sharded run equals the reference");
      const jobs = (out: string) =>
        [...out.matchAll(/(\d+) tasks in (\d+) jobs/g)].map((m) => [Number(m[1]), Number(m[2])]);
      for (const [tasks, n] of jobs(single.out)) expect(n).toBe(tasks);
      const sum = (pairs: number[][]) => pairs.reduce((a, [, n]) => a + n!, 0);
      expect(sum(jobs(single.out))).toBeGreaterThan(sum(jobs(run.out)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown --executor with exit code 2", async () => {
    const run = await runCli(["run", "plan.json", "--executor", "cloud"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--executor must be local or distributed");
  });

  it.each([
    [["--executor", "distributed", "--data-plane", "carrier-pigeon"], "--data-plane must be direct or redis"],
    [
      ["--executor", "distributed", "--max-chain", "0"],
      "expected a positive integer up to 100000, found '0'",
    ],
    [["--max-chain", "8"], "--max-chain only apply to --executor distributed"],
    [["--no-shared-memory"], "--no-shared-memory only apply to --executor distributed"],
    [
      ["--data-plane", "redis", "--data-host", "h"],
      "--data-plane, --data-host only apply to --executor distributed",
    ],
  ])("refuses %j with exit code 2", async (args, message) => {
    const run = await runCli(["run", "plan.json", ...args]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });
});
