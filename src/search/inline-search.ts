import { withChoices } from "./engine/plan-choice.js";
import { createSearchEngine } from "./engine/search-engine.js";
import { searchSpace } from "./engine/search-space.js";
import { progressReporter, type SearchOutcome, type SearchRun, stoppedBy } from "./search-run.js";

/** The search on this thread: one engine seeded with the baselines. */
export function runInline(run: SearchRun): Promise<SearchOutcome> {
  const space = searchSpace(run.program, run.devices, run.pins);
  const engine = createSearchEngine(space, run.base, { seed: run.seed, capacity: run.capacity });
  const deadline = run.budget.seconds === undefined ? undefined : run.started + run.budget.seconds * 1000;
  // Seeding a large program takes a while: stop once the budget is spent (after the first start).
  for (const s of run.starts) {
    if (engine.evaluations > 0 && deadline !== undefined && Date.now() >= deadline) break;
    engine.addStart(withChoices(run.base, s));
  }
  const report = progressReporter(
    run,
    () => engine.evaluations,
    () => engine.front(),
  );
  engine.run(
    {
      ...(run.budget.evaluations === undefined ? {} : { evaluations: run.budget.evaluations }),
      ...(deadline === undefined ? {} : { deadline }),
    },
    report,
  );
  report();
  return Promise.resolve({
    front: engine.front().map((m) => ({ plan: m.sim.plan, cost: m.cost })),
    evaluations: engine.evaluations,
    stoppedBy: stoppedBy(run, engine.evaluations),
    mutators: engine.choice.stats(),
  });
}
