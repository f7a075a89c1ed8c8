import type { Cluster } from "../../cluster/cluster.js";
import type { CostVector, Simulation } from "../../cost/simulation.js";
import { createSimulator, type Simulator } from "../../cost/simulator.js";
import type { CombineMode, OperationPlan, Plan } from "../../plan/plan.js";
import { withRecompute } from "../../plan/recompute-plan.js";
import type { DimSplit } from "../../zspace/z-range.js";

/**
 * `sim`'s plan recomputing `tensors` instead of what it recomputed before, simulated from
 * scratch (the program changed: a rare move, worth a full simulation). The result is addressed
 * like the program before recomputation: operation positions are that program's, and a change
 * of an operation changes its copies the same way (see `withRecompute`), each incrementally.
 * An empty `tensors` gives a plain simulator of the plan without recomputation.
 */
export function recomputeSimulator(sim: Simulator, tensors: readonly string[]): Simulator {
  const plan = withRecompute(sim.plan, tensors);
  const inner = createSimulator(plan, sim.cluster, { pricing: sim.pricing });
  return plan.recompute === undefined ? inner : new RecomputingSimulator(inner, variantShape(plan));
}

/** Where the operations of the program before recomputation sit in the plan's, and their copies. */
interface VariantShape {
  /** Position in the plan's program of each operation of the program before recomputation. */
  readonly position: readonly number[];
  /** Operation id → its position in the plan's program. */
  readonly at: ReadonlyMap<string, number>;
  /** Operation id → the ids of the operations copying it. */
  readonly copies: ReadonlyMap<string, readonly string[]>;
}

function variantShape(plan: Plan): VariantShape {
  const r = plan.recompute!;
  const at = new Map(plan.program.operations.map((o, k) => [o.id, k]));
  const copies = new Map<string, string[]>();
  for (const [copy, of] of Object.entries(r.copies)) copies.set(of, [...(copies.get(of) ?? []), copy]);
  return { position: r.program.operations.map((o) => at.get(o.id)!), at, copies };
}

/** A simulator of a recomputing plan that mirrors every change of an operation onto its copies. */
class RecomputingSimulator implements Simulator {
  constructor(
    private readonly inner: Simulator,
    private readonly shape: VariantShape,
  ) {}

  get plan(): Plan {
    return this.inner.plan;
  }

  get cluster(): Cluster {
    return this.inner.cluster;
  }

  get pricing(): Simulator["pricing"] {
    return this.inner.pricing;
  }

  cost(): CostVector {
    return this.inner.cost();
  }

  simulate(): Simulation {
    return this.inner.simulate();
  }

  operationPlan(index: number): OperationPlan {
    const k = this.shape.position[index];
    if (k === undefined) throw new RangeError(`no operation at position ${index}`);
    return this.inner.operationPlan(k);
  }

  withPlacement(op: string, devices: readonly string[], combineDevices?: readonly string[]): Simulator {
    let sim = this.inner.withPlacement(op, devices, combineDevices);
    const placed = this.planOf(sim, op);
    for (const c of this.shape.copies.get(op) ?? [])
      sim = sim.withPlacement(c, placed.devices, placed.combineDevices);
    return new RecomputingSimulator(sim, this.shape);
  }

  withSharding(op: string, splits: readonly DimSplit[], devices?: readonly string[]): Simulator {
    let sim = this.inner.withSharding(op, splits, devices);
    const placed = this.planOf(sim, op);
    for (const c of this.shape.copies.get(op) ?? []) sim = sim.withSharding(c, splits, placed.devices);
    return new RecomputingSimulator(sim, this.shape);
  }

  withCombine(op: string, combine: CombineMode): Simulator {
    let sim = this.inner.withCombine(op, combine);
    for (const c of this.shape.copies.get(op) ?? []) sim = sim.withCombine(c, combine);
    return new RecomputingSimulator(sim, this.shape);
  }

  withOperationPlans(plans: readonly OperationPlan[]): Simulator {
    return this.withOperationPlansWithin(plans, Number.POSITIVE_INFINITY)!;
  }

  withOperationPlansWithin(plans: readonly OperationPlan[], maxPieces: number): Simulator | undefined {
    // A copy is planned like its original: each changed plan is repeated under its copies' ids.
    const mirrored = plans.flatMap((p) => [
      p,
      ...(this.shape.copies.get(p.op) ?? []).map((c) => ({ ...p, op: c })),
    ]);
    const sim = this.inner.withOperationPlansWithin(mirrored, maxPieces);
    return sim === undefined ? undefined : new RecomputingSimulator(sim, this.shape);
  }

  pieceCount(): number {
    return this.inner.pieceCount();
  }

  private planOf(sim: Simulator, op: string): OperationPlan {
    return sim.operationPlan(this.shape.at.get(op)!);
  }
}
