import type { Cluster } from "../../cluster/cluster.js";
import type { CostVector } from "../../cost/simulation.js";
import type { Program } from "../../ir/program.js";
import type { Plan } from "../../plan/plan.js";
import { dataParallelPlan } from "./data-parallel-plan.js";
import { hybridPlan } from "./hybrid-plan.js";
import { megatronPlan } from "./megatron-plan.js";
import { singleDevicePlan } from "./single-device-plan.js";
import { trainingPlan, trainingShape } from "./training-plans.js";

/** A named baseline plan. */
export interface NamedPlan {
  readonly name: string;
  readonly plan: Plan;
}

/**
 * The baselines a search is held against on the first `n` devices of `cluster`: single device,
 * data parallel, Megatron tensor parallel on one host's devices (at most `n`), and
 * the hybrids `dp{a}xtp{b}` for every split `n = a·b` with `a, b ≥ 2` and `b` at most a host's
 * devices (tensor parallelism inside hosts, data parallelism across them, as Megatron-LM deploys
 * it), in order of increasing `b`; and for a training step (see `trainingShape`) data
 * parallelism with the gradients reduced and the update on one device (`dp-allreduce`) and
 * ZeRO stages 1 and 2 (`zero-1`, `zero-2`, see `trainingPlan`). Plans equal to an earlier one (a Megatron plan that cuts
 * nothing) are left out; `strongestBaseline` picks the one to beat.
 */
export function baselinePlans(program: Program, cluster: Cluster, n: number): NamedPlan[] {
  const perHost = Math.max(...cluster.hosts.map((h) => h.devices.length));
  const out: NamedPlan[] = [
    { name: "single-device", plan: singleDevicePlan(program, cluster) },
    { name: "data-parallel", plan: dataParallelPlan(program, cluster, n) },
    // Tensor parallelism stays inside a host, as Megatron-LM runs it: across hosts it is the
    // hybrids' job to add data parallelism.
    { name: "megatron", plan: megatronPlan(program, cluster, Math.min(n, perHost)) },
  ];
  for (let b = 2; b < n && b <= perHost; b++) {
    if (n % b !== 0) continue;
    const plan = hybridPlan(program, cluster, n / b, b);
    if (plan !== undefined) out.push({ name: `dp${n / b}xtp${b}`, plan });
  }
  const training = trainingShape(program);
  if (training !== undefined) {
    out.push({ name: "dp-allreduce", plan: trainingPlan(program, cluster, n, "dp", training) });
    out.push({ name: "zero-1", plan: trainingPlan(program, cluster, n, "zero-1", training) });
    out.push({ name: "zero-2", plan: trainingPlan(program, cluster, n, "zero-2", training) });
  }
  const seen = new Set<string>();
  return out.filter(({ plan }) => {
    const key = JSON.stringify(
      plan.operations.map((o) => [o.sharding.boundaries, o.devices, o.combine ?? "gather"]),
    );
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The fastest feasible baseline other than the single device (the strongest hand plan a search
 * is held against), or `undefined` when none is feasible.
 */
export function strongestBaseline<T extends { readonly name: string; readonly cost: CostVector }>(
  baselines: readonly T[],
): T | undefined {
  return baselines
    .filter((b) => b.name !== "single-device" && b.cost.feasible)
    .reduce<T | undefined>(
      (best, b) => (best === undefined || b.cost.makespan < best.cost.makespan ? b : best),
      undefined,
    );
}
