import { type Rng, seededRng } from "../../base/random.js";
import type { CostVector } from "../../cost/simulation.js";
import type { Simulator } from "../../cost/simulator.js";
import { recomputedTensors } from "../../plan/recompute-plan.js";
import { type MutatorChoice, mutatorChoice } from "./mutator-choice.js";
import { mutatorsFor } from "./mutators.js";
import { deviceCapacities, type Objectives, objectivesOf } from "./objectives.js";
import { insertIntoArchive } from "./pareto-archive.js";
import { type PlanChoice, planChoices, withMember } from "./plan-choice.js";
import type { SearchSpace } from "./search-space.js";

/**
 * A plan on the engine's front: its simulator (built on first use for plans received from
 * other workers), objectives and cost vector.
 */
export interface FrontMember {
  readonly sim: Simulator;
  readonly objectives: Objectives;
  readonly cost: CostVector;
  /** The epoch in which it joined this engine's front by its own search (−1 when received). */
  readonly epoch: number;
}

/** A front member as plain data, for sending between workers. */
export interface SharedMember {
  readonly choices: readonly PlanChoice[];
  /** The activations it recomputes (`withRecompute`), when any. */
  readonly recompute?: readonly string[];
  readonly cost: CostVector;
}

/** When an engine run stops: after this many evaluations in total, or at this wall-clock time (ms). */
export interface RunLimit {
  readonly evaluations?: number;
  readonly deadline?: number;
  /**
   * When the whole search must be over (wall-clock ms; a time budget's end, past the epoch's
   * `deadline`): a step that the longest step so far says would end later is not started.
   */
  readonly end?: number;
}

/**
 * One search thread: a Pareto archive of simulated plans, mutated one change at a time.
 *
 * A step picks a parent (half the time uniformly from the front, a third of the time the
 * fastest plan, otherwise the last child, so the walk can cross a plateau of worse plans),
 * applies a mutator chosen by adaptive probabilities, simulates the child incrementally and
 * offers it to the archive; the mutator is rewarded when the child joins the front.
 */
export interface SearchEngine {
  readonly space: SearchSpace;
  readonly choice: MutatorChoice;
  /** Plans simulated so far (starting plans included). */
  readonly evaluations: number;
  /**
   * The longest step or start so far, in ms: whether another fits before a deadline (a start of
   * a 512-device plan takes seconds; begun just before the deadline it would overrun it).
   */
  readonly longestStepMs: number;
  /**
   * Offers a starting plan (counted as an evaluation); `tookMs` is how long deriving it took,
   * about what a step deriving a plan received from another worker costs (for `RunLimit.end`).
   */
  addStart(sim: Simulator, tookMs?: number): void;
  /**
   * Steps until `limit` or until `shouldStop()` (asked before every step: a cancelled search
   * stops within one evaluation), calling `tick` every 256 evaluations or 200 ms (for progress).
   */
  run(limit: RunLimit, tick?: () => void, shouldStop?: () => boolean): void;
  /** The current front. */
  front(): readonly FrontMember[];
  /** Members that joined in the current epoch by this engine's own search, as plain data. */
  joinedThisEpoch(): SharedMember[];
  /** Takes in members found elsewhere (their costs are trusted: simulation is deterministic). */
  absorb(members: readonly SharedMember[]): void;
  /** Starts a new epoch (for `joinedThisEpoch`). */
  nextEpoch(): void;
}

/** Options of a search engine. */
export interface EngineOptions {
  readonly seed: number;
  /** Most members the front keeps (thinned by crowding beyond it); default 48. */
  readonly capacity?: number;
  /** The wall clock in ms (default `Date.now`): tests give a clock of their own. */
  readonly clock?: () => number;
}

/** An engine searching `space`, starting from `base` (any plan of the space's devices). */
export function createSearchEngine(
  space: SearchSpace,
  base: Simulator,
  options: EngineOptions,
): SearchEngine {
  const rng: Rng = seededRng(options.seed);
  const capacity = options.capacity ?? 48;
  const mutators = mutatorsFor(space);
  const choice = mutatorChoice(mutators.map((m) => m.name));
  const capacityOf = deviceCapacities(base.cluster, base.plan.devices);
  const archive: FrontMember[] = [];
  let evaluations = 0;
  let epoch = 0;
  let last: Simulator = base;
  const clock = options.clock ?? Date.now;
  // One step of a 512-device plan can take seconds (deriving a received plan, a class-wide
  // move): the longest so far keeps a time budget from being overrun by one more.
  let longestStep = 0;

  const offer = (sim: Simulator): boolean => {
    const cost = sim.cost();
    evaluations++;
    const member = { sim, cost, objectives: objectivesOf(cost, capacityOf), epoch };
    return insertIntoArchive(archive, member, capacity) === "added";
  };

  const parent = (): Simulator => {
    const u = rng.next();
    if (archive.length === 0) return last;
    if (u < 0.5) return archive[rng.int(0, archive.length - 1)]!.sim;
    if (u < 0.83) {
      let best = archive[0]!;
      for (const m of archive)
        if (
          m.objectives.excess < best.objectives.excess ||
          (m.objectives.excess === best.objectives.excess && m.objectives.makespan < best.objectives.makespan)
        )
          best = m;
      return best.sim;
    }
    return last;
  };

  const step = (): void => {
    const from = parent();
    // A mutator may not apply (nothing to move, a layout equal to the current one): try others.
    for (let attempt = 0; attempt < 8; attempt++) {
      const i = choice.pick(rng);
      const child = mutators[i]!.apply(from, space, rng);
      if (child === undefined) continue;
      const improved = offer(child);
      choice.reward(i, improved);
      last = child;
      return;
    }
    // Nothing applied from this parent: count the step so budgets always end.
    evaluations++;
  };

  return {
    space,
    choice,
    get evaluations() {
      return evaluations;
    },
    get longestStepMs() {
      return longestStep;
    },
    addStart(sim, tookMs = 0) {
      const started = clock();
      offer(sim);
      last = sim;
      longestStep = Math.max(longestStep, tookMs + clock() - started);
    },
    run(limit, tick, shouldStop) {
      const maxEvals = limit.evaluations ?? Number.POSITIVE_INFINITY;
      const deadline = limit.deadline ?? Number.POSITIVE_INFINITY;
      const timed = deadline !== Number.POSITIVE_INFINITY;
      const end = limit.end ?? Number.POSITIVE_INFINITY;
      let ticked = evaluations;
      let tickedAt = clock();
      while (evaluations < maxEvals) {
        // Evaluations of large plans take milliseconds: look at the clock around every one.
        const now = clock();
        if ((timed && now >= deadline) || now + longestStep > end || shouldStop?.() === true) return;
        if (evaluations - ticked >= 256 || now - tickedAt >= 200) {
          [ticked, tickedAt] = [evaluations, now];
          tick?.();
        }
        step();
        longestStep = Math.max(longestStep, clock() - now);
      }
    },
    front: () => archive,
    joinedThisEpoch() {
      return archive
        .filter((m) => m.epoch === epoch)
        .map((m) => {
          const recompute = recomputedTensors(m.sim.plan);
          return {
            choices: planChoices(m.sim.plan),
            ...(recompute.length === 0 ? {} : { recompute }),
            cost: m.cost,
          };
        });
    },
    absorb(members) {
      for (const m of members) {
        // Re-deriving a large plan from scratch costs as much as hundreds of evaluations, and
        // most received plans are never picked as parents: derive on first use, as a change
        // of the plan the walk is at then (received plans are mostly near it).
        let sim: Simulator | undefined;
        const member = {
          get sim() {
            sim ??= withMember(last, m.choices, m.recompute);
            return sim;
          },
          cost: m.cost,
          objectives: objectivesOf(m.cost, capacityOf),
          epoch: -1,
        };
        insertIntoArchive(archive, member, capacity);
      }
    },
    nextEpoch() {
      epoch++;
    },
  };
}
