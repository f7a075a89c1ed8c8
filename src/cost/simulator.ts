import { TesseraError } from "../base/errors.js";
import { nullRecord } from "../base/json.js";
import type { Cluster } from "../cluster/cluster.js";
import type { OperationPlan, Plan } from "../plan/plan.js";
import { gridSharding } from "../shard/operation-sharding.js";
import type { DimSplit } from "../zspace/z-range.js";
import { type Group, installPhases, recognise } from "./collectives.js";
import { compile } from "./compile.js";
import { INTER, type OpPlace, type PlanState, type Pricing, type SimContext, simContext } from "./context.js";
import { DEFAULT_COST_MODEL } from "./cost-model.js";
import {
  deriveOpGeometry,
  deriveOpReads,
  type OpGeometry,
  type OpReads,
  opPosition,
  overlappingInputs,
  programFacts,
} from "./derivation.js";
import { mapDevices } from "./device-map.js";
import { runSchedule, ScheduleDeadlock } from "./schedule.js";
import {
  type CollectiveUse,
  type CostVector,
  SIMULATION_VERSION,
  type Simulation,
  type SimulationOptions,
  type TransferInterval,
} from "./simulation.js";

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
   * go to their default devices, and an explicit plan order is dropped (task ids changed).
   */
  withSharding(op: string, splits: readonly DimSplit[], devices?: readonly string[]): Simulator;
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
  const opPlans = new Map(plan.operations.map((o) => [o.op, o]));
  const ops = facts.program.operations;
  const plans = ops.map((op) => {
    const p = opPlans.get(op.id);
    if (p === undefined)
      throw new TesseraError("plan_mismatch", `the plan has no entry for operation '${op.id}'`, {
        op: op.id,
      });
    return p;
  });
  const extra = plan.operations.find((o) => !facts.opIndex.has(o.op));
  if (extra !== undefined)
    throw new TesseraError(
      "plan_mismatch",
      `the plan has an entry for '${extra.op}', which the program lacks`,
      {
        op: extra.op,
      },
    );
  const geometries = plans.map((p, k) => deriveOpGeometry(facts, k, p.sharding, ctx.model, ctx.types));
  const reads = geometries.map((_, k) => deriveOpReads(facts, geometries, k));
  const places = plans.map((p, k) => placeOp(ctx, geometries[k]!, p));
  const order = plan.order === undefined ? null : orderIndices(ctx, geometries, reads, plan.order);
  const overlapping = overlappingInputs(facts, reads);
  return new PlanSimulator(ctx, plan, { geometries, reads, places, order, overlapping });
}

function unknownDevice(devices: readonly string[], device: string, context: Record<string, string>) {
  return new TesseraError(
    "unknown_device",
    `'${device}' is not one of the plan's devices (${devices.join(", ")})`,
    { ...context, device },
  );
}

/** Validates and indexes an operation's placement. */
function placeOp(ctx: SimContext, g: OpGeometry, p: OperationPlan): OpPlace {
  const index = (list: readonly string[]) =>
    Int32Array.from(list, (d) => {
      const i = ctx.deviceIndex.get(d);
      if (i === undefined) throw unknownDevice(ctx.devices, d, { op: g.op.id });
      return i;
    });
  const count = (what: string, expected: number, found: number) => {
    if (expected !== found)
      throw new TesseraError(
        "device_count_mismatch",
        `operation '${g.op.id}' has ${expected} ${what} but the placement lists ${found} devices`,
        { op: g.op.id, expected, found },
      );
  };
  count("shards", g.shards.length, p.devices.length);
  const shard = index(p.devices);
  let combine: Int32Array;
  if (p.combineDevices === undefined) {
    combine = Int32Array.from(g.combineParts, (parts) => shard[parts[0]!]!);
  } else {
    count("combines", g.combines.length, p.combineDevices.length);
    combine = index(p.combineDevices);
  }
  return { plan: p, shard, combine };
}

/** The plan's order as derivation indices, validated like `deriveTaskGraph` does. */
function orderIndices(
  ctx: SimContext,
  geometries: readonly OpGeometry[],
  reads: readonly OpReads[],
  order: readonly string[],
): Int32Array {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const base: number[] = [];
  for (const k of ctx.facts.order) {
    base[k] = ids.length;
    for (const id of geometries[k]!.taskIds) {
      index.set(id, ids.length);
      ids.push(id);
    }
  }
  const deps = (t: string): string[] => {
    const i = index.get(t)!;
    const k = ctx.facts.order.find((o) => i >= base[o]! && i < base[o]! + geometries[o]!.taskIds.length)!;
    const r = reads[k]!;
    const j = i - base[k]!;
    const out: string[] = [];
    for (let p = r.start[j]!; p < r.start[j + 1]!; p++) {
      const so = r.srcOp[p]!;
      if (so >= 0) out.push(geometries[so]!.taskIds[r.srcTask[p]!]!);
    }
    return out;
  };
  const seen = new Set<string>();
  const out = new Int32Array(ids.length);
  order.forEach((id, i) => {
    const t = index.get(id);
    if (t === undefined || seen.has(id)) {
      throw new TesseraError(
        "invalid_order",
        `order entry ${i} '${id}' is ${t === undefined ? "not a task of this plan" : "listed twice"}`,
        { index: i, task: id },
      );
    }
    const missing = deps(id).find((d) => !seen.has(d));
    if (missing !== undefined) {
      throw new TesseraError(
        "invalid_order",
        `task '${id}' is ordered before '${missing}', which it reads from`,
        {
          index: i,
          task: id,
          dependency: missing,
        },
      );
    }
    seen.add(id);
    out[i] = t;
  });
  const absent = ids.find((id) => !seen.has(id));
  if (absent !== undefined)
    throw new TesseraError("invalid_order", `the order leaves out task '${absent}'`, { task: absent });
  return out;
}

class PlanSimulator implements Simulator {
  private costCache: CostVector | undefined;
  private planCache: Plan | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly base: Plan,
    private readonly state: PlanState,
  ) {}

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
      const ids = this.ctx.facts.order.flatMap((k) => this.state.geometries[k]!.taskIds);
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
    };
  }

  withPlacement(op: string, devices: readonly string[], combineDevices?: readonly string[]): Simulator {
    const k = opPosition(this.ctx.facts, op);
    const old = this.state.places[k]!.plan;
    const combines = combineDevices ?? old.combineDevices;
    const plan: OperationPlan =
      combines === undefined
        ? { op, sharding: old.sharding, devices: devices.slice() }
        : { op, sharding: old.sharding, devices: devices.slice(), combineDevices: combines.slice() };
    const places = this.state.places.slice();
    places[k] = placeOp(this.ctx, this.state.geometries[k]!, plan);
    return new PlanSimulator(this.ctx, this.base, { ...this.state, places });
  }

  withSharding(op: string, splits: readonly DimSplit[], devices?: readonly string[]): Simulator {
    const { facts } = this.ctx;
    const k = opPosition(facts, op);
    const sharding = gridSharding(facts.program.operations[k]!, splits);
    const geometries = this.state.geometries.slice();
    const g = deriveOpGeometry(facts, k, sharding, this.ctx.model, this.ctx.types);
    geometries[k] = g;
    const reads = this.state.reads.slice();
    reads[k] = deriveOpReads(facts, geometries, k);
    for (const c of facts.consumers[k]!) reads[c] = deriveOpReads(facts, geometries, c);
    const used = [...new Set(this.state.places[k]!.plan.devices)];
    const list = devices ?? g.shards.map((_, i) => used[i % used.length]!);
    const places = this.state.places.slice();
    places[k] = placeOp(this.ctx, g, { op, sharding, devices: list.slice() });
    const overlapping = overlappingInputs(facts, reads, this.state.overlapping, [k]);
    return new PlanSimulator(this.ctx, this.base, { geometries, reads, places, order: null, overlapping });
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
    compile(ctx, state);
    const collective = ctx.pricing === "collective";
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
      const g = state.geometries[ws.taskOp[t]!]!;
      const j = ws.taskLocal[t]!;
      return {
        task: g.taskIds[j]!,
        device: names[ws.taskDev[t]!]!,
        start: ws.taskStart[t]!,
        end: ws.taskEnd[t]!,
        flops: g.work[j]!.flops,
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
        tensor: state.reads[ws.xOp[x]!]!.info[ws.xPiece[x]!]!.tensor,
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
