import { seededRng } from "../../base/random.js";
import { clusterToJson } from "../../cluster/parse-cluster.js";
import type { CostVector } from "../../cost/simulation.js";
import { programToJson } from "../../ir/encode-program.js";
import { deviceCapacities, type Objectives, objectivesOf } from "../engine/objectives.js";
import { insertIntoArchive } from "../engine/pareto-archive.js";
import { planFromChoices } from "../engine/plan-choice.js";
import type { RunLimit, SharedMember } from "../engine/search-engine.js";
import type { MutatorStats } from "../result/search-result.js";
import { progressReporter, type SearchOutcome, type SearchRun, stoppedBy } from "../search-run.js";
import type { SearchSession } from "./search-pool.js";
import type { SearchWorkerSetup } from "./search-worker-protocol.js";
import { threadSearchPool } from "./thread-search-pool.js";

interface GlobalMember extends SharedMember {
  readonly objectives: Objectives;
  readonly epoch: number;
}

/** Evaluations per worker per epoch under an evaluation budget (bounds how stale shared fronts get). */
const EPOCH_EVALUATIONS = 2000;

/**
 * The search over `run.workers` workers (threads, or `run.pool`'s), in synchronous epochs: every worker runs its
 * own engine (seeded from the run's seed, one stream each) for an epoch, sends the plans that
 * joined its front, and the coordinator merges them, in worker order, into the global front
 * and hands the newcomers to every worker for the next epoch. Epochs end by evaluation counts
 * under an evaluation budget, so the result depends on the seed and worker count alone; under
 * a time budget they end by the clock (slices of a tenth of the budget, 0.2–2 s).
 */
export async function runParallel(run: SearchRun): Promise<SearchOutcome> {
  const rng = seededRng(run.seed);
  const capacityOf = deviceCapacities(run.cluster, run.devices);
  const common = {
    program: programToJson(run.program),
    cluster: clusterToJson(run.cluster),
    pricing: run.pricing,
    devices: run.devices.slice(),
    pins: run.pins.slice(),
    capacity: run.capacity,
  };
  // Aborting sets the flag every worker's engine checks before each step, so the epoch in flight
  // ends within one evaluation and its finds still reach the front.
  const stop = new SharedArrayBuffer(4);
  const counts = new Array<number>(run.workers).fill(0);
  const stats: (readonly MutatorStats[])[] = [];
  const global: GlobalMember[] = [];
  const bests = new Map<number, { cost: CostVector }>();
  const report = progressReporter(
    run,
    () => counts.reduce((a, b) => a + b, 0),
    () => (bests.size === 0 ? global : [...global, ...bests.values()]),
  );

  // Seeding a large program costs about a second a plan: each worker simulates its share of
  // the starting plans (their positions in `run.starts` here), and the first epoch's exchange
  // gives every worker the others' survivors.
  const shares = Array.from({ length: run.workers }, (_, i) => {
    const mine = run.starts.flatMap((_, k) => (k % run.workers === i ? [k] : []));
    return mine.length > 0 ? mine : [i % run.starts.length];
  });
  const startCosts: (CostVector | undefined)[] = run.starts.map(() => undefined);
  const setups = Array.from({ length: run.workers }, (_, i): SearchWorkerSetup => {
    return {
      ...common,
      starts: shares[i]!.map((k) => run.starts[k]!),
      seed: rng.int(0, 2 ** 31 - 1),
      ...(run.budget.seconds === undefined ? {} : { deadline: run.started + run.budget.seconds * 1000 }),
    };
  });
  const onAbort = () => Atomics.store(new Int32Array(stop), 0, 1);
  if (run.signal?.aborted === true) onAbort();
  run.signal?.addEventListener("abort", onAbort);
  let session: SearchSession | undefined;
  try {
    session = await (run.pool ?? threadSearchPool).open(setups, stop, (i, evaluations, best) => {
      counts[i] = evaluations;
      if (best !== undefined) bests.set(i, { cost: best });
      report();
    });
    const perWorker =
      run.budget.evaluations === undefined ? undefined : Math.ceil(run.budget.evaluations / run.workers);
    const epochs =
      perWorker === undefined ? undefined : Math.max(1, Math.ceil(perWorker / EPOCH_EVALUATIONS));
    const deadline = run.budget.seconds === undefined ? Infinity : run.started + run.budget.seconds * 1000;
    const slice =
      run.budget.seconds === undefined ? 0 : Math.min(2000, Math.max(200, run.budget.seconds * 100));
    let incoming: SharedMember[] = [];
    for (let epoch = 1; ; epoch++) {
      const limit: RunLimit = {
        ...(perWorker === undefined || epochs === undefined
          ? {}
          : { evaluations: Math.round((perWorker * epoch) / epochs) }),
        ...(deadline === Infinity ? {} : { deadline: Math.min(deadline, Date.now() + slice), end: deadline }),
      };
      const open = session;
      const before = counts.reduce((a, b) => a + b, 0);
      const done = await Promise.all(setups.map((_, i) => open.epoch(i, limit, incoming)));
      incoming = [];
      done.forEach((m, i) => {
        m.startCosts?.forEach((cost, j) => {
          startCosts[shares[i]![j]!] ??= cost;
        });
        counts[i] = m.evaluations;
        stats[i] = m.mutators;
        for (const j of m.joined) {
          const member = { ...j, objectives: objectivesOf(j.cost, capacityOf), epoch };
          if (insertIntoArchive(global, member, run.capacity) === "added") incoming.push(j);
        }
      });
      // Newcomers that a later one pushed out of the front are not worth sending.
      incoming = incoming.filter((j) => global.some((g) => g.choices === j.choices));
      report();
      const spent = epochs !== undefined && epoch >= epochs;
      // Under a time budget, an epoch in which no worker took a step means each expects its
      // next one to end past the budget (`RunLimit.end`): waiting for the clock gains nothing.
      const idle = deadline !== Infinity && counts.reduce((a, b) => a + b, 0) === before;
      if (spent || idle || Date.now() >= deadline || run.signal?.aborted === true) break;
    }
  } finally {
    run.signal?.removeEventListener("abort", onAbort);
    await session?.close();
  }

  const evaluations = counts.reduce((a, b) => a + b, 0);
  const front = global.map((g) => ({
    plan: planFromChoices(run.program, run.devices, g.choices, g.recompute),
    cost: g.cost,
  }));
  return {
    front,
    evaluations,
    stoppedBy: stoppedBy(run, evaluations),
    mutators: mergeStats(stats),
    startCosts,
  };
}

/** Sums tries and improvements over workers; probabilities are averaged. */
function mergeStats(all: readonly (readonly MutatorStats[])[]): MutatorStats[] {
  const first = all[0] ?? [];
  return first.map((s, k) => {
    const column = all.map((w) => w[k]!);
    return {
      name: s.name,
      tried: column.reduce((a, c) => a + c.tried, 0),
      improved: column.reduce((a, c) => a + c.improved, 0),
      probability: column.reduce((a, c) => a + c.probability, 0) / column.length,
    };
  });
}
