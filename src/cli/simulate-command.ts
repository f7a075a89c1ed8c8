import { readDocumentFile } from "../base/document-file.js";
import { loadCluster } from "../cluster/load-cluster.js";
import type { Pricing } from "../cost/context.js";
import { MEMORY_KINDS } from "../cost/memory-kinds.js";
import { simulatePlan } from "../cost/simulator.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { recomputedTensors } from "../plan/recompute-plan.js";
import { parsePlan } from "../plan/validate-plan.js";
import { MEMORY_KIND_LABEL, showsMemoryKinds } from "../report/memory-split.js";
import { formatBytes, formatSeconds } from "../report/units.js";
import { textTable } from "./text-table.js";
import { textTimeline } from "./text-timeline.js";

/** Options of `tessera simulate`. */
export interface SimulateOptions {
  readonly cluster: string;
  readonly pricing: Pricing;
  readonly json: boolean;
}

/** Simulates a plan on a cluster and prints its cost vector, collectives and a text timeline. */
export function simulatePlanFile(
  file: string,
  opts: SimulateOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  const plan = parsePlan(readDocumentFile(file), registry);
  const cluster = loadCluster(opts.cluster);
  const sim = simulatePlan(plan, cluster, { pricing: opts.pricing });
  if (opts.json) {
    out(`${JSON.stringify(sim)}\n`);
    return;
  }
  const c = sim.cost;
  out(`simulated '${plan.program.name ?? file}' on cluster '${cluster.name}' (${opts.pricing} pricing)\n`);
  const recomputed = recomputedTensors(plan);
  if (recomputed.length > 0) out(`recomputed for the backward: ${recomputed.join(", ")}\n`);
  out("\n");
  const rows = [
    ["makespan", formatSeconds(c.makespan)],
    [
      "peak memory (max over devices)",
      `${formatBytes(c.maxPeakMemory)}${c.feasible ? "" : "  — over capacity: INFEASIBLE"}`,
    ],
    ["bytes inside hosts", formatBytes(c.bytesByLinkClass.intra)],
    ["bytes between hosts", formatBytes(c.bytesByLinkClass.inter)],
    ["devices used", String(c.devicesUsed)],
    ["feasible", c.feasible ? "yes" : "no"],
  ];
  out(`${textTable(["cost", "value"], rows)}\n\n`);
  const mem = Object.entries(c.peakMemory).map(([d, b]) => [d, sim.timeline.devices[d] ?? d, formatBytes(b)]);
  if (showsMemoryKinds(sim.memory)) {
    // A training step: what each peak held, by kind.
    const kinds = MEMORY_KINDS.map((k) => MEMORY_KIND_LABEL[k]);
    const rows = mem.map((r) => [...r, ...MEMORY_KINDS.map((k) => formatBytes(sim.memory![r[0]!]![k]))]);
    out(`${textTable(["device", "runs on", "peak memory", ...kinds], rows)}\n\n`);
  } else out(`${textTable(["device", "runs on", "peak memory"], mem)}\n\n`);
  if (sim.timeline.collectives.length > 0) {
    const col = sim.timeline.collectives.map((k) => [
      k.kind,
      k.devices.join(","),
      formatBytes(k.bytes),
      k.pricing,
    ]);
    out(`recognised collectives:\n${textTable(["kind", "devices", "block", "priced as"], col)}\n\n`);
  }
  out(`${textTimeline(sim)}\n`);
}
