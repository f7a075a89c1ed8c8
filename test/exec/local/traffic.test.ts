// Bench item (c): the bytes the local executor actually moves between devices, counted by the
// receivers, are exactly the bytes the task graph derives — no more, no fewer.
import { describe, expect, it } from "vitest";
import { runLocal } from "../../../src/exec/local/index.js";
import { evaluateProgram, randomInputs } from "../../../src/exec/reference/index.js";
import { builtinRegistry } from "../../../src/kernels/library/index.js";
import { deriveTaskGraph, makePlan, transferBytes } from "../../../src/plan/index.js";
import { exampleProgram, megatronMlpPlan } from "./example-programs.js";
import { expectCloseToReference } from "./expect-matches.js";

describe("traffic of a local run", () => {
  it("moves exactly the derived bytes and transfers", async () => {
    const plan = megatronMlpPlan();
    const graph = deriveTaskGraph(plan);
    const result = await runLocal(plan, randomInputs(plan.program, 1));
    expect(result.stats.bytesDerived).toBe(transferBytes(graph));
    expect(result.stats.bytesMoved).toBe(result.stats.bytesDerived);
    expect(result.stats.transfersMoved).toBe(graph.transfers.length);
    // One partial block of fc2: 32 rows × 128 columns of float32.
    expect(result.stats.bytesMoved).toBe(32 * 128 * 4);
  });

  it("counts the transfers that home-placed inputs cause, and still computes the reference", async () => {
    const prog = exampleProgram("mlp");
    const splits = { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] };
    const devices = ["d0", "d1"];
    const home = prog.inputs.map((tensor) => ({ tensor, device: "d0" }));
    const placed = makePlan(prog, { devices, splits, inputs: home });
    const graph = deriveTaskGraph(placed);
    const fromInputs = graph.transfers.filter((t) => t.source.kind === "input");
    // d1's shards read x and b2 whole and their halves of w1, b1 and w2, all from d0.
    expect(fromInputs.map((t) => t.tensor).sort()).toEqual(["b1", "b2", "w1", "w2", "x"]);
    expect(fromInputs.every((t) => t.from === "d0" && t.to === "d1")).toBe(true);
    expect(transferBytes(graph)).toBeGreaterThan(
      transferBytes(deriveTaskGraph(makePlan(prog, { devices, splits }))),
    );

    const inputs = randomInputs(prog, 2);
    const result = await runLocal(placed, inputs);
    expect(result.stats.transfersMoved).toBe(graph.transfers.length);
    expect(result.stats.bytesMoved).toBe(transferBytes(graph));
    expectCloseToReference(result.outputs.y!, evaluateProgram(prog, inputs, builtinRegistry()).y!, "y", 1e-4);
  });

  it("reports progress after every task, up to the total", async () => {
    const plan = megatronMlpPlan();
    const seen: [number, number][] = [];
    const result = await runLocal(plan, randomInputs(plan.program, 1), {
      onProgress: (done, total) => seen.push([done, total]),
    });
    const total = result.stats.tasks;
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
    expect(result.stats.perThread.reduce((n, t) => n + t.tasks, 0)).toBe(total);
    expect(result.stats.perThread.every((t) => t.busyMs >= 0)).toBe(true);
    expect(result.stats.backend).toBe("reference");
  });

  it("traces every task and transfer of the compute phase, in the order they could happen", async () => {
    const plan = megatronMlpPlan();
    const graph = deriveTaskGraph(plan);
    const { stats } = await runLocal(plan, randomInputs(plan.program, 1));
    const { tasks, transfers } = stats.trace;
    expect(tasks.map((t) => t.task).sort()).toEqual(graph.tasks.map((t) => t.id).sort());
    expect(transfers.map((t) => t.transfer).sort()).toEqual(graph.transfers.map((t) => t.id).sort());
    const byId = new Map(tasks.map((t) => [t.task, t]));
    for (const t of graph.tasks) {
      const traced = byId.get(t.id)!;
      expect(traced.device).toBe(t.device);
      expect(traced.dispatchedMs).toBeGreaterThanOrEqual(0);
      expect(traced.doneMs).toBeGreaterThanOrEqual(traced.dispatchedMs);
      expect(traced.doneMs).toBeLessThanOrEqual(stats.phases.computeMs);
    }
    // A device runs one task at a time: its tasks' traced intervals do not overlap.
    for (const device of plan.devices) {
      const mine = tasks.filter((t) => t.device === device).sort((a, b) => a.dispatchedMs - b.dispatchedMs);
      for (let i = 1; i < mine.length; i++)
        expect(mine[i]!.dispatchedMs).toBeGreaterThanOrEqual(mine[i - 1]!.doneMs);
    }
    // A transfer is sent after its producer is done and arrives before its readers are dispatched.
    for (const tr of transfers) {
      const derived = graph.transfers[tr.transfer]!;
      expect([tr.from, tr.to, tr.bytes]).toEqual([derived.from, derived.to, derived.bytes]);
      expect(tr.arrivedMs).toBeGreaterThanOrEqual(tr.sentMs);
      if (derived.source.kind === "task")
        expect(tr.sentMs).toBeGreaterThanOrEqual(byId.get(derived.source.task)!.doneMs);
      for (const t of graph.tasks)
        if ((graph.reads[t.id] ?? []).some((p) => p.transfer === tr.transfer))
          expect(byId.get(t.id)!.dispatchedMs).toBeGreaterThanOrEqual(tr.arrivedMs);
    }
  });
});
