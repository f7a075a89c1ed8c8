import { setImmediate as yieldToEvents } from "node:timers/promises";
import type { CostVector } from "../cost/simulation.js";
import { withChoices } from "./engine/plan-choice.js";
import { createSearchEngine } from "./engine/search-engine.js";
import { searchSpace } from "./engine/search-space.js";
import { progressReporter, type SearchOutcome, type SearchRun, stoppedBy } from "./search-run.js";

/** Wall-clock ms the inline search runs before yielding to the event loop (so an abort is seen). */
const SLICE_MS = 100;

/**
 * The search on this thread: one engine started from the baselines. It runs in slices of
 * 100 ms, yielding to the event loop between them so that `run.signal` (a Ctrl-C handler, a
 * timer) can stop it; slicing does not change the walk, so the result still depends on the seed
 * and an evaluation budget alone. An aborted run resolves with the front found so far (the first
 * starting plan is always evaluated, so the front is never empty).
 */
export async function runInline(run: SearchRun): Promise<SearchOutcome> {
  const space = searchSpace(run.program, run.devices, run.pins);
  const engine = createSearchEngine(space, run.base, { seed: run.seed, capacity: run.capacity });
  const deadline = run.budget.seconds === undefined ? undefined : run.started + run.budget.seconds * 1000;
  const aborted = () => run.signal?.aborted === true;
  // Evaluating a start of a large program takes a while: stop once the longest start so far
  // would end past the budget, or the run is aborted (after the first start).
  const startCosts: (CostVector | undefined)[] = run.starts.map(() => undefined);
  for (const [i, s] of run.starts.entries()) {
    const late = deadline !== undefined && Date.now() + engine.longestStepMs >= deadline;
    if (engine.evaluations > 0 && (late || aborted())) break;
    const started = Date.now();
    const sim = withChoices(run.base, s);
    engine.addStart(sim, Date.now() - started);
    startCosts[i] = sim.cost();
    await yieldToEvents();
  }
  const report = progressReporter(
    run,
    () => engine.evaluations,
    () => engine.front(),
  );
  const maxEvaluations = run.budget.evaluations ?? Number.POSITIVE_INFINITY;
  for (;;) {
    const now = Date.now();
    if (aborted() || engine.evaluations >= maxEvaluations || (deadline !== undefined && now >= deadline))
      break;
    const sliceEnd = Math.min(deadline ?? Number.POSITIVE_INFINITY, now + SLICE_MS);
    const before = engine.evaluations;
    engine.run(
      {
        ...(run.budget.evaluations === undefined ? {} : { evaluations: run.budget.evaluations }),
        deadline: sliceEnd,
        ...(deadline === undefined ? {} : { end: deadline }),
      },
      report,
      aborted,
    );
    // Large plans take longer than a slice per evaluation: report at least once a slice.
    report();
    // No step taken before the deadline: the engine expects the next to end past the budget.
    if (deadline !== undefined && engine.evaluations === before) break;
    await yieldToEvents();
  }
  report();
  return {
    front: engine.front().map((m) => ({ plan: m.sim.plan, cost: m.cost })),
    evaluations: engine.evaluations,
    stoppedBy: stoppedBy(run, engine.evaluations),
    mutators: engine.choice.stats(),
    startCosts,
  };
}
