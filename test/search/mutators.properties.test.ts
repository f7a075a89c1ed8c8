import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRng } from "../../src/base/random.js";
import { createSimulator } from "../../src/cost/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson, validatePlan } from "../../src/plan/index.js";
import { MUTATORS, searchSpace } from "../../src/search/index.js";
import { roundCluster } from "../cost/clusters.js";
import { randomProgram, runs } from "../shard/random-programs.js";

const cluster = roundCluster(2, 2, { memory: 1e12 });
const devices = cluster.devices.map((d) => d.id);

describe("mutators", () => {
  it("turn valid plans into valid plans whose incremental cost equals a fresh simulation", () => {
    fc.assert(
      fc.property(randomProgram(5), fc.integer(), fc.integer({ min: 1, max: 12 }), (program, seed, steps) => {
        const space = searchSpace(program, devices, []);
        const rng = seededRng(seed);
        let sim = createSimulator(makePlan(program, { devices }), cluster);
        for (let i = 0; i < steps; i++) {
          const m = MUTATORS[rng.int(0, MUTATORS.length - 1)]!;
          sim = m.apply(sim, space, rng) ?? sim;
        }
        const json = planToJson(sim.plan);
        const check = validatePlan(json, builtinRegistry());
        expect(check.issues).toEqual([]);
        const fresh = createSimulator(check.plan!, cluster).cost();
        expect(sim.cost()).toEqual(fresh);
      }),
      { numRuns: runs(60) },
    );
  });

  it("leave pinned shardings and placements alone, and keep confined shards on their devices", () => {
    fc.assert(
      fc.property(randomProgram(4), fc.integer(), (program, seed) => {
        const [first, second] = program.operations;
        const pins = [
          { op: first!.id, splits: [], devices: [devices[3]!] },
          ...(second === undefined ? [] : [{ op: second.id, devices: [devices[1]!, devices[2]!] }]),
        ];
        const space = searchSpace(program, devices, pins);
        const rng = seededRng(seed);
        let sim = createSimulator(
          makePlan(program, {
            devices,
            placement: {
              [first!.id]: [devices[3]!],
              ...(second === undefined ? {} : { [second.id]: [devices[1]!] }),
            },
          }),
          cluster,
        );
        for (let i = 0; i < 30; i++) {
          const m = MUTATORS[rng.int(0, MUTATORS.length - 1)]!;
          sim = m.apply(sim, space, rng) ?? sim;
        }
        const [a, b] = sim.plan.operations;
        expect(a!.sharding.splits).toEqual([]);
        expect(a!.devices).toEqual([devices[3]]);
        if (b !== undefined) for (const d of b.devices) expect([devices[1], devices[2]]).toContain(d);
      }),
      { numRuns: runs(40) },
    );
  });
});
