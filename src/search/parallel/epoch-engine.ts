import { setImmediate as yieldToEvents } from "node:timers/promises";
import { parseCluster } from "../../cluster/parse-cluster.js";
import type { CostVector } from "../../cost/simulation.js";
import { createSimulator } from "../../cost/simulator.js";
import { decodeValidatedProgram } from "../../ir/decode-validated-program.js";
import { makePlan } from "../../plan/make-plan.js";
import { fastestCost } from "../engine/objectives.js";
import { withChoices } from "../engine/plan-choice.js";
import { createSearchEngine, type RunLimit, type SharedMember } from "../engine/search-engine.js";
import { searchSpace } from "../engine/search-space.js";
import type { EpochReport, SearchWorkerSetup } from "./search-worker-protocol.js";

/** One search worker's engine, run epoch by epoch as its coordinator asks. */
export interface EpochEngine {
  /** Epochs run so far. */
  readonly epochs: number;
  /**
   * Takes in `incoming` (the newcomers to the global front), runs until `limit`, and reports
   * what joined its front meanwhile. `onTick` hears the evaluations so far and the fastest cost.
   */
  runEpoch(
    limit: RunLimit,
    incoming: readonly SharedMember[],
    onTick?: (evaluations: number, best: CostVector | undefined) => void,
  ): EpochReport;
  /**
   * `runEpoch` in slices of about `sliceMs`, yielding to the event loop between them (a worker
   * process must keep renewing its registration and job locks). Slicing does not change the
   * walk: the report is `runEpoch`'s.
   */
  runEpochInSlices(limit: RunLimit, incoming: readonly SharedMember[], sliceMs: number): Promise<EpochReport>;
}

/**
 * The engine of one search worker built from its setup: its starting plans evaluated (until
 * `setup.deadline` or `stopped`, the first always), seeded with `setup.seed`. Everything it
 * does depends on the setup and the epochs' limits and incoming members alone, so replaying
 * the same epochs on a fresh engine, in any process, gives the same engine (evaluation limits;
 * a deadline is the clock's).
 */
export function createEpochEngine(setup: SearchWorkerSetup, stopped: () => boolean): EpochEngine {
  const program = decodeValidatedProgram(setup.program);
  const cluster = parseCluster(setup.cluster);
  const base = createSimulator(makePlan(program, { devices: setup.devices }), cluster, {
    pricing: setup.pricing,
  });
  const engine = createSearchEngine(searchSpace(program, setup.devices, setup.pins), base, {
    seed: setup.seed,
    capacity: setup.capacity,
  });
  const startCosts: CostVector[] = [];
  for (const s of setup.starts) {
    if (
      engine.evaluations > 0 &&
      ((setup.deadline !== undefined && Date.now() + engine.longestStepMs >= setup.deadline) || stopped())
    )
      break;
    const started = Date.now();
    const sim = withChoices(base, s);
    engine.addStart(sim, Date.now() - started);
    startCosts.push(sim.cost());
  }
  let epochs = 0;
  const finish = (): EpochReport => {
    const report = {
      joined: engine.joinedThisEpoch(),
      evaluations: engine.evaluations,
      mutators: engine.choice.stats(),
      ...(epochs === 0 ? { startCosts } : {}),
    };
    // The starting plans joined in epoch 0, so the first report carries them too.
    engine.nextEpoch();
    epochs++;
    return report;
  };
  return {
    get epochs() {
      return epochs;
    },
    runEpoch(limit, incoming, onTick) {
      engine.absorb(incoming);
      engine.run(
        limit,
        onTick === undefined
          ? undefined
          : () => onTick(engine.evaluations, fastestCost(engine.front().map((f) => f.cost))),
        stopped,
      );
      return finish();
    },
    async runEpochInSlices(limit, incoming, sliceMs) {
      engine.absorb(incoming);
      const maxEvaluations = limit.evaluations ?? Number.POSITIVE_INFINITY;
      const deadline = limit.deadline ?? Number.POSITIVE_INFINITY;
      if (maxEvaluations === Number.POSITIVE_INFINITY && deadline === Number.POSITIVE_INFINITY)
        throw new Error("an epoch needs an evaluation limit or a deadline");
      for (;;) {
        const now = Date.now();
        if (engine.evaluations >= maxEvaluations || now >= deadline || stopped()) break;
        engine.run({ ...limit, deadline: Math.min(deadline, now + sliceMs) }, undefined, stopped);
        await yieldToEvents();
      }
      return finish();
    },
  };
}
