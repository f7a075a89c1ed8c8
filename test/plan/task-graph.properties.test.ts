// Laws of derived traffic over random programs, random shardings and random placements: what a
// task reads is exactly what it needs (nothing twice, nothing extra), every transfer crosses
// devices with the bytes its region holds, and the final writers cover every tensor once.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTYPE_BYTES } from "../../src/base/index.js";
import type { Program } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import {
  deriveTaskGraph,
  type Piece,
  type Plan,
  planToJson,
  type Source,
  type Task,
  type TaskGraph,
  validatePlan,
} from "../../src/plan/index.js";
import { type ShardGeometry, shardGeometry } from "../../src/shard/index.js";
import { tilingDefect, type ZRange } from "../../src/zspace/index.js";
import { Dice, diceValues, randomProgram, runs } from "../shard/random-programs.js";
import { expectTesseraError } from "../zspace/expect-error.js";
import { type RandomPlanOptions, randomOrder, randomPlan } from "./random-plans.js";

/** A random plan of a random program, its task graph, and what the laws look things up in. */
interface Scenario {
  readonly program: Program;
  readonly plan: Plan;
  readonly graph: TaskGraph;
  readonly task: (id: string) => Task;
  readonly shards: (op: string) => readonly ShardGeometry[];
  /** Where a source's data lives and what region of its tensor it holds. */
  readonly held: (s: Source) => { region: ZRange; device: string | null; partial: boolean };
}

function scenario(program: Program, dice: readonly number[], options?: RandomPlanOptions): Scenario {
  const plan = randomPlan(program, dice, options);
  const graph = deriveTaskGraph(plan);
  const tasks = new Map(graph.tasks.map((t) => [t.id, t]));
  const shards = new Map(
    plan.operations.map((o) => [
      o.op,
      shardGeometry(program.operations.find((p) => p.id === o.op)!, o.sharding),
    ]),
  );
  const homes = new Map(plan.inputs.map((i) => [i.tensor, i.device ?? null]));
  const task = (id: string) => tasks.get(id)!;
  return {
    program,
    plan,
    graph,
    task,
    shards: (op) => shards.get(op)!,
    held: (s) => {
      if (s.kind === "input") {
        const decl = program.tensors.find((t) => t.id === s.tensor)!;
        return { region: decl.range, device: homes.get(s.tensor) ?? null, partial: false };
      }
      const t = task(s.task);
      const out = t.outputs.find((o) => o.name === s.output)!;
      return { region: out.region, device: t.device, partial: out.partial };
    },
  };
}

const sourceKey = (s: Source) => (s.kind === "task" ? `${s.task}:${s.output}` : `input:${s.tensor}`);

// Scenarios are built inside the predicate so that a counterexample prints as program + dice.
const programs = () => fc.record({ program: randomProgram(), dice: diceValues() });

const property = (law: (s: Scenario) => void, options?: RandomPlanOptions) => () => {
  fc.assert(
    fc.property(programs(), ({ program, dice }) => law(scenario(program, dice, options))),
    { numRuns: runs(120) },
  );
};

/** The pieces of `task` for `operand`. */
const piecesOf = (g: TaskGraph, task: string, operand: string): Piece[] =>
  (g.reads[task] ?? []).filter((p) => p.operand === operand);

describe("task graphs of random plans", () => {
  it(
    "has one shard task per shard and one combine task per split output block, on the planned devices",
    property(({ plan, graph, shards }) => {
      const ids = graph.tasks.map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const o of plan.operations) {
        const mine = graph.tasks.filter((t) => t.op === o.op);
        const shardTasks = mine.filter((t) => t.kind === "shard");
        const combineTasks = mine.filter((t) => t.kind === "combine");
        expect(shardTasks.map((t) => t.shard)).toEqual(shards(o.op).map((s) => s.shard));
        shardTasks.forEach((t, k) => {
          expect(t.id).toBe(`${o.op}#${k}`);
          expect(t.device).toBe(o.devices[k]);
          expect(t.range).toEqual(shards(o.op)[k]!.range);
        });
        // Gathered: one step per block on its first part's device. Reduce-scattered: the block's
        // chunks, chunk j on part j's device, tiling the block.
        combineTasks.forEach((t, b) => {
          if (t.chunk === undefined) {
            expect(t.id).toBe(`${o.op}#combine#${t.block}`);
            expect(t.device).toBe(o.combineDevices?.[b] ?? o.devices[Number(t.parts[0]!.split("#")[1])]);
          } else {
            expect(o.combine).toBe("reduce-scatter");
            expect(t.id).toBe(`${o.op}#combine#${t.block}.${t.chunk}`);
            expect(t.device).toBe(
              o.combineDevices?.[b] ?? o.devices[Number(t.parts[t.chunk]!.split("#")[1])],
            );
          }
        });
        if (o.combine !== "reduce-scatter")
          expect(combineTasks.map((t) => t.block)).toEqual(combineTasks.map((_, b) => b));
        for (const block of new Set(combineTasks.map((t) => t.block))) {
          const steps = combineTasks.filter((t) => t.block === block);
          const whole = shards(o.op).find((s) => s.block === block)!.outputs;
          for (const [name, region] of Object.entries(whole)) {
            const chunks = steps.map((t) => t.outputs.find((x) => x.name === name)!.region);
            expect(tilingDefect(chunks, region)).toBeUndefined();
          }
        }
        expect(combineTasks.length > 0).toBe(shards(o.op).some((s) => s.partial));
      }
    }),
  );

  it(
    "every shard reads exactly the region it needs of each operand: its pieces tile it, nothing twice, nothing extra",
    property(({ program, graph, shards }) => {
      for (const t of graph.tasks) {
        if (t.kind !== "shard") continue;
        const op = program.operations.find((o) => o.id === t.op)!;
        const need = shards(t.op)[t.shard]!.inputs;
        for (const sel of op.inputs) {
          const pieces = piecesOf(graph, t.id, sel.name);
          expect(pieces.every((p) => p.tensor === sel.tensor)).toBe(true);
          expect(
            tilingDefect(
              pieces.map((p) => p.region),
              need[sel.name]!,
            ),
          ).toBeUndefined();
        }
        expect(graph.reads[t.id]!.every((p) => op.inputs.some((s) => s.name === p.operand))).toBe(true);
      }
    }),
  );

  it(
    "a shard's pieces are the intersections of its need with the final writers of the tensor",
    property(({ program, graph, shards }) => {
      for (const t of graph.tasks) {
        if (t.kind !== "shard") continue;
        const op = program.operations.find((o) => o.id === t.op)!;
        for (const sel of op.inputs) {
          const need = shards(t.op)[t.shard]!.inputs[sel.name]!;
          const expected = (graph.writers[sel.tensor] ?? [])
            .map((w) => ({ source: sourceKey(w.source), region: String(w.region.intersect(need)) }))
            .filter((_, i) => !graph.writers[sel.tensor]![i]!.region.intersect(need).isEmpty());
          const found = piecesOf(graph, t.id, sel.name).map((p) => ({
            source: sourceKey(p.source),
            region: String(p.region),
          }));
          expect(found).toEqual(expected);
        }
      }
    }),
  );

  it(
    "a combine reads each of its parts' partials whole, and nothing else",
    property(({ graph }) => {
      for (const t of graph.tasks) {
        if (t.kind !== "combine") continue;
        for (const o of t.outputs) {
          const pieces = piecesOf(graph, t.id, o.name);
          expect(pieces.every((p) => p.source.kind === "task" && t.parts.includes(p.source.task))).toBe(true);
          for (const part of t.parts) {
            const mine = pieces.filter((p) => p.source.kind === "task" && p.source.task === part);
            expect(
              tilingDefect(
                mine.map((p) => p.region),
                o.region,
              ),
            ).toBeUndefined();
          }
        }
      }
    }),
  );

  it(
    "every piece lies within what its source holds and comes from the device the source lives on",
    property(({ graph, held }) => {
      for (const pieces of Object.values(graph.reads)) {
        for (const p of pieces) {
          const source = held(p.source);
          expect(source.region.contains(p.region)).toBe(true);
          expect(p.fromDevice).toBe(source.device);
        }
      }
    }),
  );

  it(
    "a piece is a transfer exactly when it crosses devices, and the transfer says what crosses where",
    property(({ graph, task, held, program }) => {
      const dtypes = new Map(program.tensors.map((t) => [t.id, t.dtype]));
      const used = new Set<number>();
      for (const [id, pieces] of Object.entries(graph.reads)) {
        const to = task(id).device;
        for (const p of pieces) {
          expect(p.transfer !== null).toBe(p.fromDevice !== null && p.fromDevice !== to);
          if (p.transfer === null) continue;
          used.add(p.transfer);
          expect(graph.transfers[p.transfer]).toMatchObject({
            source: p.source,
            tensor: p.tensor,
            region: p.region,
            from: p.fromDevice,
            to,
          });
        }
      }
      graph.transfers.forEach((t, i) => {
        expect(t.id).toBe(i);
        expect(t.from).not.toBe(t.to);
        expect(t.region.isEmpty()).toBe(false);
        expect(t.bytes).toBe(t.region.size * DTYPE_BYTES[dtypes.get(t.tensor)!]);
        expect(t.partial).toBe(held(t.source).partial);
        expect(used.has(i)).toBe(true);
      });
    }),
  );

  it(
    "a device never receives the same region of the same source twice",
    property(({ graph }) => {
      const keys = graph.transfers.map((t) => `${t.to}|${sourceKey(t.source)}|${t.region}`);
      expect(new Set(keys).size).toBe(keys.length);
    }),
  );

  it(
    "the final writers of every tensor cover it exactly once (after combines); inputs are their own writer",
    property(({ program, plan, graph, held }) => {
      for (const decl of program.tensors) {
        const writers = graph.writers[decl.id] ?? [];
        if (program.inputs.includes(decl.id)) {
          const home = plan.inputs.find((i) => i.tensor === decl.id)?.device ?? null;
          expect(writers).toEqual([
            { source: { kind: "input", tensor: decl.id }, region: decl.range, device: home },
          ]);
          continue;
        }
        expect(
          tilingDefect(
            writers.map((w) => w.region),
            decl.range,
          ),
        ).toBeUndefined();
        for (const w of writers) {
          expect(held(w.source)).toEqual({ region: w.region, device: w.device, partial: false });
        }
      }
    }),
  );

  it(
    "deps are exactly the tasks a task reads from, and every dep comes earlier in the task order",
    property(({ graph }) => {
      const position = new Map(graph.tasks.map((t, i) => [t.id, i]));
      for (const t of graph.tasks) {
        const deps = graph.deps[t.id]!;
        const read = new Set(
          graph.reads[t.id]!.flatMap((p) => (p.source.kind === "task" ? [p.source.task] : [])),
        );
        expect([...deps].sort()).toEqual([...read].sort());
        for (const d of deps) expect(position.get(d)!).toBeLessThan(position.get(t.id)!);
        if (t.kind === "combine") {
          const partsRead = t.outputs.some((o) => !o.region.isEmpty());
          if (partsRead) expect([...deps].sort()).toEqual([...t.parts].sort());
        }
      }
    }),
  );

  it(
    "a plan on one device moves nothing, however its operations are cut",
    property(
      ({ graph }) => {
        expect(graph.transfers).toEqual([]);
        for (const pieces of Object.values(graph.reads)) {
          expect(pieces.every((p) => p.fromDevice === null || p.fromDevice === "d0")).toBe(true);
        }
      },
      { devices: 1 },
    ),
  );
});

describe("explicit execution orders of random plans", () => {
  it("any dependency-respecting order is accepted, runs the tasks in that order and moves the same data", () => {
    fc.assert(
      fc.property(programs(), diceValues(), ({ program, dice }, orderDice) => {
        const { plan, graph } = scenario(program, dice);
        const order = randomOrder(graph, new Dice(orderDice));
        const ordered = deriveTaskGraph({ ...plan, order });
        expect(ordered.tasks.map((t) => t.id)).toEqual(order);
        expect(ordered.transfers).toEqual(graph.transfers);
        expect(ordered.reads).toEqual(graph.reads);
        const { issues } = validatePlan(planToJson({ ...plan, order }), builtinRegistry());
        expect(issues).toEqual([]);
      }),
      { numRuns: runs(60) },
    );
  });

  it("an order that runs a task before one it reads from is `invalid_order`, at that entry", () => {
    fc.assert(
      fc.property(programs(), diceValues(), ({ program, dice: planDice }, orderDice) => {
        const { plan, graph } = scenario(program, planDice);
        const dice = new Dice(orderDice);
        const order = randomOrder(graph, dice);
        const dependent = order.filter((id) => graph.deps[id]!.length > 0);
        fc.pre(dependent.length > 0);
        const late = dice.pick(dependent);
        const early = dice.pick(graph.deps[late]!);
        // Move `late` to just before `early`.
        const rest = order.filter((id) => id !== late);
        rest.splice(rest.indexOf(early), 0, late);
        const error = expectTesseraError(() => deriveTaskGraph({ ...plan, order: rest }), "invalid_order");
        expect(error.summary).toContain(`'${late}'`);
        const { issues } = validatePlan(planToJson({ ...plan, order: rest }), builtinRegistry());
        expect(issues.map((i) => [i.code, i.path])).toEqual([
          ["invalid_order", `/order/${rest.indexOf(late)}`],
        ]);
      }),
      { numRuns: runs(60) },
    );
  });
});
