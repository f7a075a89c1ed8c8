import { TesseraError } from "../base/errors.js";
import { nullRecord } from "../base/json.js";
import type { Cluster } from "../cluster/cluster.js";
import type { OpTasks } from "../plan/op-tasks.js";
import type { CombineMode, OperationPlan, Plan } from "../plan/plan.js";
import {
  operationPlans,
  pieceCount,
  planTraffic,
  taskDevices,
  trafficOrder,
  withOperation,
  withOperationsWithin,
} from "../plan/plan-traffic.js";
import { programFacts } from "../plan/program-facts.js";
import { gridSharding } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";
import { type Group, installPhases, recognise } from "./collectives.js";
import { compile } from "./compile.js";
import { INTER, type OpPlace, type PlanState, type Pricing, type SimContext, simContext } from "./context.js";
import { DEFAULT_COST_MODEL } from "./cost-model.js";
import { mapDevices } from "./device-map.js";
import { runOverheadSeconds, runShape } from "./executor-overheads.js";
import { opPosition, overlappingInputs } from "./input-overlap.js";
import { memoryKinds, peakByKind } from "./memory-kinds.js";
import { runSchedule, ScheduleDeadlock } from "./schedule.js";
import { newTrace, type Resume, resumePoint, resumeStats, type ScheduleTrace } from "./schedule-trace.js";
import {
  type CollectiveUse,
  type CostVector,
  SIMULATION_VERSION,
  type Simulation,
  type SimulationOptions,
  type TransferInterval,
} from "./simulation.js";
import { priceOp } from "./task-pricing.js";

/**
 * A plan ready to be evaluated on a cluster, and re-evaluated cheaply after local changes.
 * Simulators are immutable: `withPlacement` and `withSharding` return a new one that shares
 * everything the change leaves alone with its parent (which stays usable).
 */
export interface Simulator {
  readonly plan: Plan;
  readonly cluster: Cluster;
  readonly pricing: Pricing;
  /** The cost vector (computed once, then cached). */
  cost(): CostVector;
  /** The plan of the operation at `index` in program order (cheaper than `plan.operations[index]`). */
  operationPlan(index: number): OperationPlan;
  /** The cost vector with the timeline behind it, and the collectives recognised. */
  simulate(): Simulation;
  /**
   * The plan with operation `op`'s shards on other devices, and its combines on
   * `combineDevices` when given (else where the plan put them: explicitly, or by default with
   * the first shard of their block). Re-derives nothing but the placement: geometry and pieces
   * do not depend on devices. The plan's explicit order, if any, is kept (placement does not
   * change dependencies).
   */
  withPlacement(op: string, devices: readonly string[], combineDevices?: readonly string[]): Simulator;
  /**
   * The plan with operation `op` re-split by `splits`: re-derives that operation's tasks and
   * the pieces of the operations reading what it writes. Shards go on `devices`, or by default
   * round-robin over the devices the operation used before (in order of first use); combines
   * go to their default devices, the operation keeps its combine mode, and an explicit plan
   * order is dropped (task ids changed).
   */
  withSharding(op: string, splits: readonly DimSplit[], devices?: readonly string[]): Simulator;
  /**
   * The plan with operation `op`'s split reduction combined by `combine` (`gather` or
   * `reduce-scatter`): re-derives its combine steps and its readers' pieces. Shards stay where
   * they are, combines go to their default devices, and an explicit order is dropped.
   */
  withCombine(op: string, combine: CombineMode): Simulator;
  /**
   * The plan with each operation of `plans` planned as given (sharding, devices, combine
   * devices, combine mode), in one step: the operations whose sharding or combine mode changed
   * get their tasks re-derived, and every operation reading what they write has its pieces
   * re-derived once (a chain of `withSharding` would re-derive a shared reader once per changed
   * producer). An explicit plan order is dropped when any operation is re-derived. Throws
   * `plan_mismatch`, `unknown_device` and `device_count_mismatch` as `createSimulator` does.
   */
  withOperationPlans(plans: readonly OperationPlan[]): Simulator;
  /**
   * `withOperationPlans`, or `undefined` when it re-splits or re-combines an operation and the
   * changed plan's tasks would then read more than `maxPieces` pieces in all (see
   * `pieceCount`; re-placements alone derive no pieces and are never refused): found out while
   * re-deriving, before the pieces over the limit are built, so a caller can refuse a change
   * too large to evaluate.
   */
  withOperationPlansWithin(plans: readonly OperationPlan[], maxPieces: number): Simulator | undefined;
  /** How many pieces this plan's tasks read in all: derivation, compile and schedule grow with it. */
  pieceCount(): number;
}

/** Simulates `plan` on `cluster`: the cost vector and timeline (see `createSimulator`). */
export function simulatePlan(plan: Plan, cluster: Cluster, options: SimulationOptions = {}): Simulation {
  return createSimulator(plan, cluster, options).simulate();
}

/**
 * A simulator of `plan` on `cluster`. Plan devices map onto cluster devices by `mapDevices`.
 * Throws `too_many_devices` / `unmapped_device` (mapping), `plan_mismatch`, `unknown_device`,
 * `device_count_mismatch` and `invalid_order` (malformed plans), and `unsupported_dtype` on
 * evaluation when a task's dtype has no peak rate on its device.
 */
export function createSimulator(plan: Plan, cluster: Cluster, options: SimulationOptions = {}): Simulator {
  const mapping = mapDevices(plan, cluster);
  const facts = programFacts(plan.program);
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  for (const [tensor, device] of homes) {
    if (device !== null && !plan.devices.includes(device))
      throw unknownDevice(plan.devices, device, { tensor });
  }
  const ctx = simContext(
    facts,
    cluster,
    plan.devices,
    mapping,
    homes,
    options.pricing ?? "point-to-point",
    options.costModel ?? DEFAULT_COST_MODEL,
  );
  const plans = operationPlans(plan, facts);
  const traffic = planTraffic(facts, plans);
  const prices = traffic.tasks.map((g) => priceOp(g, ctx.model, ctx.types, ctx.busyLevels));
  const places = plans.map((p, k) => placeOp(ctx, traffic.tasks[k]!, p));
  const order = plan.order === undefined ? null : trafficOrder(traffic, plan.order);
  const overlapping = overlappingInputs(facts, traffic.reads);
  return new PlanSimulator(ctx, plan, { traffic, prices, places, order, overlapping }, null);
}

/**
 * Where a derived simulator's schedule may resume from: an ancestor, and the first derivation
 * position at which their plans may differ.
 */
interface Origin {
  readonly parent: PlanSimulator;
  readonly from: number;
}

function unknownDevice(devices: readonly string[], device: string, context: Record<string, string>) {
  return new TesseraError(
    "unknown_device",
    `'${device}' is not one of the plan's devices (${devices.join(", ")})`,
    { ...context, device },
  );
}

/** Validates and indexes an operation's placement (`taskDevices`, then device names to indices). */
function placeOp(ctx: SimContext, g: OpTasks, p: OperationPlan): OpPlace {
  const all = Int32Array.from(taskDevices(g, p), (d) => {
    const i = ctx.deviceIndex.get(d);
    if (i === undefined) throw unknownDevice(ctx.devices, d, { op: g.op.id });
    return i;
  });
  const n = g.shards.length;
  return { plan: p, shard: all.subarray(0, n), combine: all.subarray(n) };
}

/** Whether two plans of one operation cut it the same way and combine it the same way (devices aside). */
function sameSharding(a: OperationPlan, b: OperationPlan): boolean {
  if ((a.combine ?? "gather") !== (b.combine ?? "gather")) return false;
  if (a.sharding === b.sharding) return true;
  const x = a.sharding.boundaries;
  const y = b.sharding.boundaries;
  return (
    x.length === y.length &&
    x.every((cuts, d) => cuts.length === y[d]!.length && cuts.every((c, i) => c === y[d]![i]))
  );
}

class PlanSimulator implements Simulator {
  private costCache: CostVector | undefined;
  private planCache: Plan | undefined;
  /** Neighbours of this plan evaluated with this plan as their origin while its trace was not cached. */
  private neighboursEvaluated = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly base: Plan,
    private readonly state: PlanState,
    /** Dropped once the cost is known, so that a chain of derived simulators does not keep its ancestors alive. */
    private origin: Origin | null,
  ) {}

  /**
   * The origin of a simulator derived from this one by changing the operation at position
   * `k`. A simulator not yet evaluated passes its own origin on (it has no schedule to resume
   * from, and a search often chains changes before evaluating).
   */
  private childOrigin(k: number): Origin | null {
    if (this.state.order !== null) return null;
    return this.childOriginAt(this.ctx.facts.order.indexOf(k));
  }

  /** `childOrigin` for a change whose first operation sits at derivation position `pos`. */
  private childOriginAt(pos: number): Origin | null {
    if (this.state.order !== null) return null;
    if (this.costCache === undefined && this.origin !== null)
      return { parent: this.origin.parent, from: Math.min(this.origin.from, pos) };
    return { parent: this, from: pos };
  }

  /**
   * This plan's recorded schedule for a neighbour about to be evaluated, or undefined when the
   * neighbour should run from the start. Recording runs the schedule once more, so it waits
   * for the second neighbour: a search evaluates one neighbour of most plans (the last child,
   * a front member drawn once), and for those the extra run would cost more than resuming
   * saves; a plan whose neighbours keep being evaluated (the fastest one) pays it once.
   */
  private traceForNeighbour(): ScheduleTrace | undefined {
    const cache = this.ctx.traces;
    let trace = cache.get(this);
    if (trace !== undefined) return trace;
    if (++this.neighboursEvaluated < 2) return undefined;
    trace = newTrace();
    resumeStats.traces++;
    compile(this.ctx, this.state);
    this.ctx.ws.phaseCount = 0;
    runSchedule(this.ctx, trace);
    cache.put(this, trace);
    return trace;
  }

  get cluster(): Cluster {
    return this.ctx.cluster;
  }

  get pricing(): Pricing {
    return this.ctx.pricing;
  }

  get plan(): Plan {
    if (this.planCache === undefined) {
      const byOp = new Map(this.state.places.map((p) => [p.plan.op, p.plan]));
      const { order: _, ...rest } = this.base;
      const operations = this.base.operations.map((o) => byOp.get(o.op)!);
      const order = this.state.order;
      const ids = this.ctx.facts.order.flatMap((k) => this.state.traffic.tasks[k]!.taskIds);
      this.planCache =
        order === null
          ? { ...rest, operations }
          : { ...rest, operations, order: Array.from(order, (i) => ids[i]!) };
    }
    return this.planCache;
  }

  operationPlan(index: number): OperationPlan {
    const place = this.state.places[index];
    if (place === undefined) throw new RangeError(`no operation at position ${index}`);
    return place.plan;
  }

  cost(): CostVector {
    if (this.costCache === undefined) this.costCache = this.run(false).cost;
    return this.costCache;
  }

  simulate(): Simulation {
    const { cost, groups, ringPriced } = this.run(true);
    this.costCache ??= cost;
    return {
      version: SIMULATION_VERSION,
      pricing: this.ctx.pricing,
      cost,
      timeline: this.timeline(groups, ringPriced),
      memory: peakByKind(this.ctx, this.state, memoryKinds(this.ctx.facts.program)),
    };
  }

  withPlacement(op: string, devices: readonly string[], combineDevices?: readonly string[]): Simulator {
    const k = opPosition(this.ctx.facts, op);
    const old = this.state.places[k]!.plan;
    const combines = combineDevices ?? old.combineDevices;
    const plan: OperationPlan = {
      op,
      sharding: old.sharding,
      devices: devices.slice(),
      ...(combines === undefined ? {} : { combineDevices: combines.slice() }),
      ...(old.combine === undefined ? {} : { combine: old.combine }),
    };
    const places = this.state.places.slice();
    places[k] = placeOp(this.ctx, this.state.traffic.tasks[k]!, plan);
    return new PlanSimulator(this.ctx, this.base, { ...this.state, places }, this.childOrigin(k));
  }

  withSharding(op: string, splits: readonly DimSplit[], devices?: readonly string[]): Simulator {
    const k = opPosition(this.ctx.facts, op);
    const old = this.state.places[k]!.plan;
    const sharding = gridSharding(this.ctx.facts.program.operations[k]!, splits);
    const used = [...new Set(old.devices)];
    const list =
      devices ??
      Array.from(
        { length: sharding.boundaries.reduce((n, b) => n * (b.length - 1), 1) },
        (_, i) => used[i % used.length]!,
      );
    return this.rederived(k, {
      op,
      sharding,
      devices: list.slice(),
      ...(old.combine === undefined ? {} : { combine: old.combine }),
    });
  }

  withCombine(op: string, combine: CombineMode): Simulator {
    const k = opPosition(this.ctx.facts, op);
    const old = this.state.places[k]!.plan;
    return this.rederived(k, { op, sharding: old.sharding, devices: old.devices.slice(), combine });
  }

  withOperationPlans(plans: readonly OperationPlan[]): Simulator {
    return this.withOperationPlansWithin(plans, Number.POSITIVE_INFINITY)!;
  }

  pieceCount(): number {
    return pieceCount(this.state.traffic);
  }

  withOperationPlansWithin(plans: readonly OperationPlan[], maxPieces: number): Simulator | undefined {
    const { ctx, state } = this;
    const changes = new Map<number, OperationPlan>();
    const moved: [number, OperationPlan][] = [];
    for (const p of plans) {
      const k = opPosition(ctx.facts, p.op);
      const old = state.places[k]!.plan;
      if (sameSharding(old, p)) moved.push([k, p]);
      else changes.set(k, p);
    }
    if (changes.size === 0 && moved.length === 0) return this;
    const traffic =
      changes.size === 0 ? state.traffic : withOperationsWithin(state.traffic, changes, maxPieces);
    if (traffic === undefined) return undefined;
    const prices = state.prices.slice();
    const places = state.places.slice();
    for (const [k, p] of changes) {
      prices[k] = priceOp(traffic.tasks[k]!, ctx.model, ctx.types, ctx.busyLevels);
      places[k] = placeOp(ctx, traffic.tasks[k]!, p);
    }
    for (const [k, p] of moved) places[k] = placeOp(ctx, traffic.tasks[k]!, p);
    const touched = new Set([...changes.keys(), ...moved.map(([k]) => k)]);
    const first = ctx.facts.order.findIndex((k) => touched.has(k));
    if (changes.size === 0)
      return new PlanSimulator(ctx, this.base, { ...state, places }, this.childOriginAt(first));
    const overlapping = overlappingInputs(ctx.facts, traffic.reads, state.overlapping, [...changes.keys()]);
    const origin = state.order === null ? this.childOriginAt(first) : null;
    return new PlanSimulator(ctx, this.base, { traffic, prices, places, order: null, overlapping }, origin);
  }

  /** This plan with operation `k` planned as `plan`: its tasks, prices and readers re-derived. */
  private rederived(k: number, plan: OperationPlan): Simulator {
    const { ctx, state } = this;
    const traffic = withOperation(state.traffic, k, plan.sharding, plan.combine);
    const prices = state.prices.slice();
    prices[k] = priceOp(traffic.tasks[k]!, ctx.model, ctx.types, ctx.busyLevels);
    const places = state.places.slice();
    places[k] = placeOp(ctx, traffic.tasks[k]!, plan);
    const overlapping = overlappingInputs(ctx.facts, traffic.reads, state.overlapping, [k]);
    const origin = state.order === null ? this.childOrigin(k) : null;
    return new PlanSimulator(ctx, this.base, { traffic, prices, places, order: null, overlapping }, origin);
  }

  /**
   * Compiles and schedules this plan in the shared workspace; the workspace then describes it.
   * A ring-priced collective starts only once all its members are ready, like a barrier; an
   * explicit execution order that is valid transfer by transfer can still make a device wait
   * for a delivery that needs one of its own later tasks. Then no ring pricing is possible for
   * that order: the plan is scheduled point to point and `ringPriced` says so.
   */
  private run(timeline: boolean): { cost: CostVector; groups: Group[]; ringPriced: boolean } {
    const { ctx, state } = this;
    const ws = ctx.ws;
    const collective = ctx.pricing === "collective";
    const origin = this.origin;
    this.origin = null;
    if (origin !== null && !collective && !timeline) {
      resumeStats.runs++;
      // A change to the first operation can only run from the start: no trace needed.
      const trace = origin.from > 0 ? origin.parent.traceForNeighbour() : undefined;
      if (trace !== undefined) {
        compile(ctx, state);
        const resume: Resume | null = resumePoint(trace, ws, ctx.facts.order, origin.from);
        resumeStats.events += trace.events;
        if (resume !== null) {
          resumeStats.resumed++;
          resumeStats.skipped += resume.at.events;
        }
        ws.phaseCount = 0;
        runSchedule(ctx, null, resume);
        return { cost: this.costVector([], false), groups: [], ringPriced: false };
      }
    }
    compile(ctx, state);
    const groups = collective || timeline ? recognise(ctx, state) : [];
    if (collective) {
      installPhases(ctx, groups);
      try {
        runSchedule(ctx);
        return { cost: this.costVector(groups, true), groups, ringPriced: true };
      } catch (error: unknown) {
        if (!(error instanceof ScheduleDeadlock)) throw error;
        compile(ctx, state); // the failed schedule consumed the compiled counters
      }
    }
    ws.phaseCount = 0;
    runSchedule(ctx);
    return { cost: this.costVector(groups, false), groups, ringPriced: false };
  }

  private costVector(groups: readonly Group[], ringPriced: boolean): CostVector {
    const { ctx } = this;
    const ws = ctx.ws;
    const { T, X, D } = ws;
    let makespan = 0;
    for (let t = 0; t < T; t++) if (ws.taskEnd[t]! > makespan) makespan = ws.taskEnd[t]!;
    makespan += runOverheadSeconds(ctx.cluster.executor, runShape(ctx));
    const linkBytes = [0, 0];
    for (let x = 0; x < X; x++)
      if (!ringPriced || ws.xPhase[x]! < 0) linkBytes[ws.xCls[x]!]! += ws.xBytes[x]!;
    if (ringPriced) {
      for (const g of groups)
        for (const p of g.phases)
          for (const [a, b] of p.edges) linkBytes[ctx.cls[a * D + b]!]! += p.edgeBytes;
    }
    const peakMemory = nullRecord<number>();
    let maxPeakMemory = 0;
    let devicesUsed = 0;
    let feasible = true;
    for (let d = 0; d < D; d++) {
      const peak = ws.peak[d]!;
      peakMemory[ctx.devices[d]!] = peak;
      if (peak > maxPeakMemory) maxPeakMemory = peak;
      if (ws.devStart[d + 1]! > ws.devStart[d]! || ws.base[d]! > 0) devicesUsed++;
      if (peak > ctx.capacity[d]!) feasible = false;
    }
    return {
      makespan,
      peakMemory,
      maxPeakMemory,
      bytesByLinkClass: { intra: linkBytes[0]!, inter: linkBytes[1]! },
      devicesUsed,
      feasible,
    };
  }

  /** The timeline of the plan the workspace describes (call right after `run`). */
  private timeline(groups: readonly Group[], ringPriced: boolean): Simulation["timeline"] {
    const { ctx, state } = this;
    const ws = ctx.ws;
    const names = ctx.devices;
    const compute = Array.from(ws.seq.subarray(0, ws.T), (t) => {
      const k = ws.taskOp[t]!;
      const g = state.traffic.tasks[k]!;
      const j = ws.taskLocal[t]!;
      return {
        task: g.taskIds[j]!,
        device: names[ws.taskDev[t]!]!,
        start: ws.taskStart[t]!,
        end: ws.taskEnd[t]!,
        flops: state.prices[k]!.work[j]!.flops,
      };
    });
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => {
      for (const p of g.phases) for (const x of p.members) groupOf.set(x, i);
    });
    const transfers: TransferInterval[] = [];
    for (let x = 0; x < ws.X; x++) {
      const entry = {
        id: x,
        tensor: state.traffic.reads[ws.xOp[x]!]!.info[ws.xPiece[x]!]!.tensor,
        from: names[ws.xFrom[x]!]!,
        to: names[ws.xTo[x]!]!,
        cls: ws.xCls[x] === INTER ? ("inter" as const) : ("intra" as const),
        start: ws.xStart[x]!,
        end: ws.xEnd[x]!,
        bytes: ws.xBytes[x]!,
      };
      const g = groupOf.get(x);
      transfers.push(g === undefined ? entry : { ...entry, collective: g });
    }
    const collectives: CollectiveUse[] = groups.map((g) => ({
      kind: g.kind,
      devices: g.devices.map((d) => names[d]!),
      bytes: g.bytes,
      pricing: ringPriced ? "ring" : "point-to-point",
      transfers: g.phases.flatMap((p) => p.members).sort((a, b) => a - b),
    }));
    const devices = Object.fromEntries(names.map((n, i) => [n, ctx.clusterIds[i]!]));
    return { devices, compute, transfers, collectives };
  }
}
