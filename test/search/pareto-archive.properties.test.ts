import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../src/base/random.js";
import { mutatorChoice } from "../../src/search/engine/mutator-choice.js";
import { insertIntoArchive } from "../../src/search/engine/pareto-archive.js";
import { dominates, type Objectives } from "../../src/search/index.js";

const objectives = fc.record({
  makespan: fc.integer({ min: 1, max: 20 }),
  memory: fc.integer({ min: 1, max: 20 }),
  traffic: fc.integer({ min: 0, max: 20 }),
  excess: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 })),
});

describe("constrained dominance", () => {
  it("a feasible plan dominates every infeasible one, whatever their speed", () => {
    const fast = { makespan: 1, memory: 1, traffic: 0, excess: 10 };
    const slow = { makespan: 9, memory: 9, traffic: 9, excess: 0 };
    expect(dominates(slow, fast)).toBe(true);
    expect(dominates(fast, slow)).toBe(false);
  });

  it("is irreflexive and asymmetric", () => {
    fc.assert(
      fc.property(objectives, objectives, (a, b) => {
        expect(dominates(a, a)).toBe(false);
        if (dominates(a, b)) expect(dominates(b, a)).toBe(false);
      }),
    );
  });
});

describe("the Pareto archive", () => {
  it("never holds a dominated member, and keeps every point no member dominates", () => {
    fc.assert(
      fc.property(fc.array(objectives, { maxLength: 60 }), (points) => {
        const archive: { objectives: Objectives; id: number }[] = [];
        points.forEach((o, id) => {
          insertIntoArchive(archive, { objectives: o, id }, 1000);
        });
        for (const a of archive)
          for (const b of archive) expect(dominates(a.objectives, b.objectives)).toBe(false);
        // Every offered point is on the front or dominated by / tied with a member.
        for (const p of points) {
          const covered = archive.some(
            (m) =>
              dominates(m.objectives, p) ||
              (m.objectives.makespan === p.makespan &&
                m.objectives.memory === p.memory &&
                m.objectives.traffic === p.traffic &&
                m.objectives.excess === p.excess),
          );
          expect(covered).toBe(true);
        }
      }),
    );
  });

  it("thins to its capacity by crowding without keeping a dominated member or losing an extreme", () => {
    fc.assert(
      fc.property(fc.array(objectives, { minLength: 10, maxLength: 60 }), (points) => {
        const archive: { objectives: Objectives }[] = [];
        for (const o of points) insertIntoArchive(archive, { objectives: o }, 4);
        expect(archive.length).toBeLessThanOrEqual(4);
        for (const a of archive)
          for (const b of archive) expect(dominates(a.objectives, b.objectives)).toBe(false);
      }),
    );
  });

  it("reports what an insertion did", () => {
    const archive: { objectives: Objectives }[] = [];
    const p = { makespan: 2, memory: 2, traffic: 2, excess: 0 };
    expect(insertIntoArchive(archive, { objectives: p }, 8)).toBe("added");
    expect(insertIntoArchive(archive, { objectives: { ...p } }, 8)).toBe("replaced-tie");
    expect(insertIntoArchive(archive, { objectives: { ...p, makespan: 3 } }, 8)).toBe("rejected");
    expect(insertIntoArchive(archive, { objectives: { ...p, makespan: 1 } }, 8)).toBe("added");
    expect(archive).toHaveLength(1);
  });
});

describe("adaptive mutator probabilities", () => {
  it("sum to one, never fall below the floor, and follow rewards", () => {
    const choice = mutatorChoice(["resplit", "move-shard", "co-locate"], 0.05);
    for (let i = 0; i < 200; i++) choice.reward(i % 3, i % 3 === 1);
    const stats = choice.stats();
    expect(stats.reduce((s, m) => s + m.probability, 0)).toBeCloseTo(1, 12);
    for (const m of stats) expect(m.probability).toBeGreaterThanOrEqual(0.05 - 1e-12);
    const [resplit, move] = [stats[0]!, stats[1]!];
    expect(move.probability).toBeGreaterThan(resplit.probability);
    expect(move.improved).toBe(67);
    expect(resplit.tried).toBe(67);
  });

  it("picks mutators in proportion to their probabilities", () => {
    const choice = mutatorChoice(["resplit", "move-shard"], 0.1);
    for (let i = 0; i < 500; i++) choice.reward(0, true);
    const rng = seededRng(7);
    let first = 0;
    for (let i = 0; i < 4000; i++) if (choice.pick(rng) === 0) first++;
    const p = choice.stats()[0]!.probability;
    expect(Math.abs(first / 4000 - p)).toBeLessThan(0.03);
  });
});
