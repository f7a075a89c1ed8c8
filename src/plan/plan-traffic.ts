import { TesseraError } from "../base/errors.js";
import type { OperationSharding } from "../shard/operation-sharding.js";
import { deriveOpReads, deriveOpReadsWithin, type OpReads } from "./op-reads.js";
import { deriveOpTasks, type OpTasks } from "./op-tasks.js";
import type { CombineMode, OperationPlan, Plan } from "./plan.js";
import { type ProgramFacts, programFacts } from "./program-facts.js";
import { orderPositions } from "./task-order.js";

/**
 * The traffic core: who reads which region from which task, for a whole plan, before any
 * device is chosen. Per operation (by program position) its tasks and the pieces they read.
 * The task graph, the simulator's compiled tables and through them the executors are views of
 * it with placement applied on top; a local change re-derives one operation's tasks and its
 * readers' pieces (`withOperation`).
 */
export interface PlanTraffic {
  readonly facts: ProgramFacts;
  readonly tasks: readonly OpTasks[];
  readonly reads: readonly OpReads[];
}

/**
 * The operation plans of `plan` by program position. Throws `plan_mismatch` when an operation
 * has no entry or an entry names no operation of the program.
 */
export function operationPlans(plan: Plan, facts: ProgramFacts): OperationPlan[] {
  const byOp = new Map(plan.operations.map((o) => [o.op, o]));
  const plans = facts.program.operations.map((op) => {
    const p = byOp.get(op.id);
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
  return plans;
}

/** The traffic of `plans` (one per operation, by program position) over `facts`. */
export function planTraffic(facts: ProgramFacts, plans: readonly OperationPlan[]): PlanTraffic {
  const tasks = plans.map((p, k) => deriveOpTasks(facts, k, p.sharding, p.combine));
  const reads = tasks.map((_, k) => deriveOpReads(facts, tasks, k));
  return { facts, tasks, reads };
}

/**
 * `traffic` with operation `index` re-split or re-combined: re-derives that operation's tasks
 * and the pieces of it and of the operations reading what it writes; the rest is shared.
 */
export function withOperation(
  traffic: PlanTraffic,
  index: number,
  sharding: OperationSharding,
  combine: CombineMode = "gather",
): PlanTraffic {
  return withOperations(traffic, new Map([[index, { sharding, combine }]]));
}

/**
 * `traffic` with several operations (by position) re-split or re-combined at once: each one's
 * tasks are re-derived, and the pieces of it and of every operation reading what any of them
 * writes are re-derived once, however many of its producers changed (a chain of
 * `withOperation` would re-derive a shared reader once per changed producer).
 */
export function withOperations(
  traffic: PlanTraffic,
  changes: ReadonlyMap<number, OperationChange>,
): PlanTraffic {
  return withOperationsWithin(traffic, changes, Number.POSITIVE_INFINITY)!;
}

/** A re-split or re-combined operation, for `withOperations`. */
export interface OperationChange {
  readonly sharding: OperationSharding;
  readonly combine?: CombineMode;
}

/**
 * `withOperations`, given up as soon as the changed plan would read more than `maxPieces`
 * pieces in all (`pieceCount`): `undefined` then, having derived no more than the pieces over
 * the limit. Deriving, compiling and scheduling a plan cost time and memory linear in its
 * pieces; a layout given to a whole layer class at once can turn each of dozens of operations
 * into an all-to-all of a 512-way grid (tens of millions of pieces, gigabytes), and the caller
 * can refuse such a change before paying for it.
 */
export function withOperationsWithin(
  traffic: PlanTraffic,
  changes: ReadonlyMap<number, OperationChange>,
  maxPieces: number,
): PlanTraffic | undefined {
  const { facts } = traffic;
  const tasks = traffic.tasks.slice();
  for (const [k, c] of changes) tasks[k] = deriveOpTasks(facts, k, c.sharding, c.combine ?? "gather");
  const reads = traffic.reads.slice();
  const changed = new Set(changes.keys());
  const readers = new Set<number>();
  for (const k of changed) for (const c of facts.consumers[k]!) if (!changed.has(c)) readers.add(c);
  // The pieces the plan keeps: those of every operation not re-derived.
  let total = pieceCount(traffic);
  for (const k of [...changed, ...readers]) total -= traffic.reads[k]!.srcOp.length;
  const derive = (k: number, reuse?: Parameters<typeof deriveOpReads>[3]): boolean => {
    const r = deriveOpReadsWithin(facts, tasks, k, maxPieces - total, reuse);
    if (r === undefined) return false;
    reads[k] = r;
    total += r.srcOp.length;
    return true;
  };
  for (const k of changed) if (!derive(k)) return undefined;
  for (const c of readers) if (!derive(c, { reads: traffic.reads[c]!, changed })) return undefined;
  return { facts, tasks, reads };
}

/** How many pieces the tasks of a plan read in all: the size its derivation, compile and schedule grow with. */
export function pieceCount(traffic: PlanTraffic): number {
  let n = 0;
  for (const r of traffic.reads) n += r.srcOp.length;
  return n;
}

/** Per operation (by position), the index of its first task in derivation order; and the task count. */
export function taskBases(traffic: PlanTraffic): { base: Int32Array; count: number } {
  const base = new Int32Array(traffic.tasks.length);
  let count = 0;
  for (const k of traffic.facts.order) {
    base[k] = count;
    count += traffic.tasks[k]!.taskIds.length;
  }
  return { base, count };
}

/**
 * An explicit execution order as task indices in derivation order (operations in the IR's
 * topological order, each one's shards then combines), checked by `orderPositions`.
 */
export function trafficOrder(traffic: PlanTraffic, order: readonly string[]): Int32Array {
  const { facts, tasks, reads } = traffic;
  const { base, count } = taskBases(traffic);
  const ids: string[] = [];
  const opOf = new Int32Array(count);
  for (const k of facts.order) {
    for (const id of tasks[k]!.taskIds) {
      opOf[ids.length] = k;
      ids.push(id);
    }
  }
  return orderPositions(order, ids, function* (t) {
    const k = opOf[t]!;
    const r = reads[k]!;
    const j = t - base[k]!;
    for (let p = r.start[j]!; p < r.start[j + 1]!; p++) {
      const so = r.srcOp[p]!;
      if (so >= 0) yield base[so]! + r.srcTask[p]!;
    }
  });
}

/**
 * The device of every task of one operation (shards, then combines), from its plan: shard `k`
 * on `devices[k]`, a combine on `combineDevices[b]` or by default its owner's device. Throws
 * `device_count_mismatch` when either list has the wrong length.
 */
export function taskDevices(tasks: OpTasks, p: OperationPlan): readonly string[] {
  const count = (what: string, expected: number, found: number) => {
    if (expected !== found)
      throw new TesseraError(
        "device_count_mismatch",
        `operation '${tasks.op.id}' has ${expected} ${what} but the placement lists ${found} devices`,
        { op: tasks.op.id, expected, found },
      );
  };
  count("shards", tasks.shards.length, p.devices.length);
  if (p.combineDevices === undefined)
    return [...p.devices, ...tasks.combines.map((c) => p.devices[c.owner]!)];
  count("combines", tasks.combines.length, p.combineDevices.length);
  return [...p.devices, ...p.combineDevices];
}

/** The traffic of `plan` (see `PlanTraffic`); throws `plan_mismatch` for a plan of another program. */
export function derivePlanTraffic(plan: Plan): PlanTraffic {
  const facts = programFacts(plan.program);
  return planTraffic(facts, operationPlans(plan, facts));
}
