// A time budget is a promise to the caller: the engine does not start a step that the longest
// step so far says would end past the search's end.
import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator } from "../../src/cost/index.js";
import { makePlan } from "../../src/plan/index.js";
import { createSearchEngine } from "../../src/search/engine/search-engine.js";
import { searchSpace } from "../../src/search/engine/search-space.js";
import { clusterDevices } from "../../src/search/index.js";

const program = buildMlp(64, 256, 512, 256);
const cluster = presetCluster("dgx-a100");
const devices = clusterDevices(cluster, 4);

/** An engine whose clock moves `stepMs` per step. */
function engineWithSteps(stepMs: number) {
  let t = 0;
  let reads = 0;
  const clock = () => {
    // A run reads the clock once as it begins, then before each step and after it: the read
    // after a step sees it done.
    const r = reads++;
    if (r >= 2 && r % 2 === 0) t += stepMs;
    return t;
  };
  const base = createSimulator(makePlan(program, { devices }), cluster);
  const engine = createSearchEngine(searchSpace(program, devices, []), base, { seed: 5, clock });
  return { engine, now: () => t };
}

describe("a search engine under a time budget", () => {
  it("stops before a step its longest step says would end past the search's end", () => {
    const { engine, now } = engineWithSteps(100);
    engine.run({ deadline: 10_000, end: 450 });
    // Steps end at 100, 200, 300, 400; a fifth would end at 500 > 450.
    expect(engine.evaluations).toBe(4);
    expect(now()).toBeLessThanOrEqual(450);
  });

  it("runs to the epoch's deadline when the search's end is far", () => {
    const { engine } = engineWithSteps(100);
    engine.run({ deadline: 450, end: 10_000 });
    // The deadline is checked before each step: steps start at 0, 100, 200, 300 and 400.
    expect(engine.evaluations).toBe(5);
  });

  it("takes a starting plan's derivation as a step it may have to repeat", () => {
    const { engine } = engineWithSteps(1);
    const base = createSimulator(makePlan(program, { devices }), cluster);
    engine.addStart(base, 300);
    engine.run({ deadline: 10_000, end: 250 });
    // Only the start: deriving a received plan could take as long, and would overrun.
    expect(engine.evaluations).toBe(1);
  });

  it("tells how long its longest step or start took, so that starts stop before a deadline too", () => {
    const { engine } = engineWithSteps(40);
    expect(engine.longestStepMs).toBe(0);
    engine.addStart(createSimulator(makePlan(program, { devices }), cluster), 300);
    // The derivation given plus the evaluation the clock saw.
    expect(engine.longestStepMs).toBeGreaterThanOrEqual(300);
    const afterStart = engine.longestStepMs;
    engine.run({ evaluations: 3 });
    expect(engine.longestStepMs).toBe(Math.max(afterStart, 40));
  });

  it("ignores the clock under an evaluation budget", () => {
    const { engine } = engineWithSteps(1_000_000);
    engine.run({ evaluations: 7 });
    expect(engine.evaluations).toBe(7);
  });
});
