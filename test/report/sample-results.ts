// Search results built by hand from the baselines, until the search writes real ones: the front
// is the non-dominated subset of a few candidate plans, the baselines are the usual three.
import type { Cluster } from "../../src/cluster/index.js";
import { presetCluster } from "../../src/cluster/index.js";
import { type CostVector, type Pricing, simulatePlan } from "../../src/cost/index.js";
import type { Program } from "../../src/ir/index.js";
import type { Plan } from "../../src/plan/index.js";
import { dataParallelPlan, lowerBound, megatronPlan, singleDevicePlan } from "../../src/search/index.js";
import type { ScoredPlan, SearchResult } from "../../src/search/result/search-result.js";
import { type EXAMPLES, example } from "../search/example-programs.js";

/** The objectives a front is non-dominated in: makespan, peak memory, bytes moved. */
function objectives(c: CostVector): [number, number, number] {
  return [c.makespan, c.maxPeakMemory, c.bytesByLinkClass.intra + c.bytesByLinkClass.inter];
}

/** True when `a` is no worse than `b` in every objective and better in one. */
function dominates(a: CostVector, b: CostVector): boolean {
  const [x, y] = [objectives(a), objectives(b)];
  return x.every((v, k) => v <= y[k]!) && x.some((v, k) => v < y[k]!);
}

/** The candidate plans of a hand-made search: the baselines at several device counts. */
function candidates(program: Program, cluster: Cluster): Plan[] {
  const n = cluster.devices.length;
  const counts = [2, 4, n].filter((k, i, all) => k <= n && all.indexOf(k) === i);
  return [
    singleDevicePlan(program, cluster),
    ...counts.map((k) => dataParallelPlan(program, cluster, k)),
    ...counts.map((k) => megatronPlan(program, cluster, k)),
  ];
}

/**
 * A search result for an example program on a preset cluster, built from baselines: the front
 * is the non-dominated subset of the candidates (by makespan), the chosen plan the fastest
 * feasible one. `memoryBytes` overrides the devices' memory (to make plans infeasible).
 */
export function sampleResult(
  name: (typeof EXAMPLES)[number] = "mlp",
  opts: { preset?: string; pricing?: Pricing; memoryBytes?: number } = {},
): SearchResult {
  const base = presetCluster(opts.preset ?? "dgx-a100");
  const cluster: Cluster =
    opts.memoryBytes === undefined
      ? base
      : {
          ...base,
          deviceTypes: Object.fromEntries(
            Object.entries(base.deviceTypes).map(([k, t]) => [k, { ...t, memoryBytes: opts.memoryBytes! }]),
          ),
        };
  const pricing = opts.pricing ?? "point-to-point";
  const score = (plan: Plan, label: string): ScoredPlan => ({
    name: label,
    plan,
    cost: simulatePlan(plan, cluster, { pricing }).cost,
  });
  const program = example(name);
  const scored = candidates(program, cluster).map((p, i) => score(p, `candidate-${i}`));
  const front = scored
    .filter((s) => !scored.some((t) => dominates(t.cost, s.cost)))
    // Equal costs appear once: the first candidate stands for them.
    .filter(
      (s, i, all) => all.findIndex((t) => objectives(t.cost).join() === objectives(s.cost).join()) === i,
    )
    .sort((a, b) => a.cost.makespan - b.cost.makespan)
    .map((s, i) => ({ ...s, name: `front-${i + 1}` }));
  const feasible = front.findIndex((s) => s.cost.feasible);
  return {
    version: 1,
    cluster,
    pricing,
    front,
    chosen: Math.max(0, feasible),
    baselines: [
      score(singleDevicePlan(program, cluster), "single-device"),
      score(dataParallelPlan(program, cluster), "data-parallel"),
      score(megatronPlan(program, cluster), "megatron"),
    ],
    lowerBound: lowerBound(program, cluster),
    stats: {
      seed: 7,
      workers: 1,
      evaluations: scored.length,
      seconds: 0.25,
      evaluationsPerSecond: scored.length / 0.25,
      stoppedBy: "evaluations",
      mutators: [
        { name: "resplit", tried: 4, improved: 1, probability: 0.5 },
        { name: "move-shard", tried: 3, improved: 0, probability: 0.5 },
      ],
    },
  };
}
