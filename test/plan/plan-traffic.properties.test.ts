// A local change to the traffic core re-derives one operation and the reads of its consumers
// (copying the pieces of operands the changed operation does not feed): the result is the
// traffic of the changed plan derived from scratch, piece for piece.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type OperationPlan,
  operationPlans,
  type PlanTraffic,
  pieceCount,
  planTraffic,
  programFacts,
  withOperation,
  withOperations,
  withOperationsWithin,
} from "../../src/plan/index.js";
import { gridSharding } from "../../src/shard/index.js";
import { Dice, programAndDice, randomSplits, runs } from "../shard/random-programs.js";
import { randomPlan } from "./random-plans.js";

/** Every piece of every operation, as plain data. */
function pieces(traffic: PlanTraffic) {
  return traffic.reads.map((r) => ({
    start: Array.from(r.start),
    srcOp: Array.from(r.srcOp),
    srcTask: Array.from(r.srcTask),
    key: Array.from(r.key),
    bytes: Array.from(r.bytes),
    copies: Array.from(r.copies),
    runs: Array.from(r.runs),
    info: r.info.map((i) => ({ ...i, region: String(i.region) })),
  }));
}

/** Changes of up to `most` random operations of `program` to random splits and combines: the map `withOperations` takes, and the plans of the changed program. */
function randomChanges(
  program: Parameters<typeof programFacts>[0],
  plans: OperationPlan[],
  roll: Dice,
  most: number,
) {
  const changes = new Map<
    number,
    { sharding: ReturnType<typeof gridSharding>; combine: "gather" | "reduce-scatter" }
  >();
  for (let step = 0; step < 1 + roll.int(most); step++) {
    const k = roll.int(program.operations.length);
    const op = program.operations[k]!;
    const sharding = gridSharding(op, randomSplits(op, roll, 8));
    const combine = roll.oneIn(2) ? "gather" : "reduce-scatter";
    changes.set(k, { sharding, combine });
    plans[k] = { ...plans[k]!, sharding, combine };
  }
  return changes;
}

describe("re-deriving one operation of the traffic core", () => {
  it("gives the pieces of the changed plan derived from scratch, after chains of changes", () => {
    fc.assert(
      fc.property(
        programAndDice(10),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
        ({ program, dice }, rolls) => {
          const roll = new Dice(rolls);
          const plan = randomPlan(program, dice, { devices: 4 });
          const facts = programFacts(program);
          const plans = operationPlans(plan, facts).slice();
          let traffic = planTraffic(facts, plans);
          for (let step = 0; step < 4; step++) {
            const k = roll.int(program.operations.length);
            const op = program.operations[k]!;
            const sharding = gridSharding(op, randomSplits(op, roll, 8));
            const combine = roll.oneIn(2) ? "gather" : "reduce-scatter";
            traffic = withOperation(traffic, k, sharding, combine);
            plans[k] = { ...plans[k]!, sharding, combine };
            expect(pieces(traffic)).toEqual(pieces(planTraffic(facts, plans)));
          }
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("re-derives several operations at once as it derives the changed plan from scratch", () => {
    fc.assert(
      fc.property(
        programAndDice(10),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
        ({ program, dice }, rolls) => {
          const roll = new Dice(rolls);
          const plan = randomPlan(program, dice, { devices: 4 });
          const facts = programFacts(program);
          const plans = operationPlans(plan, facts).slice();
          const before = planTraffic(facts, plans);
          const changes = randomChanges(program, plans, roll, 4);
          expect(pieces(withOperations(before, changes))).toEqual(pieces(planTraffic(facts, plans)));
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it("within a piece limit, derives the changed plan exactly when it reads at most that many pieces", () => {
    fc.assert(
      fc.property(
        programAndDice(10),
        fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -3, max: 3 }),
        ({ program, dice }, rolls, slack) => {
          const roll = new Dice(rolls);
          const plan = randomPlan(program, dice, { devices: 4 });
          const facts = programFacts(program);
          const plans = operationPlans(plan, facts).slice();
          const before = planTraffic(facts, plans);
          const changes = randomChanges(program, plans, roll, 3);
          const scratch = planTraffic(facts, plans);
          const limit = pieceCount(scratch) + slack;
          const within = withOperationsWithin(before, changes, limit);
          if (slack < 0) expect(within).toBeUndefined();
          else expect(pieces(within!)).toEqual(pieces(scratch));
        },
      ),
      { numRuns: runs(60) },
    );
  });
});
