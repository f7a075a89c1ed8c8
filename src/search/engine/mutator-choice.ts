import type { Rng } from "../../base/random.js";
import type { MutatorName, MutatorStats } from "../result/search-result.js";

/**
 * Adaptive operator selection by probability matching (Thierens 2005): each mutator's quality
 * is an exponential moving average of its rewards (1 when its child entered the front, else
 * 0), and its probability is a floor plus a share of the rest proportional to that quality, so
 * a mutator that stops paying off fades but is never switched off.
 */
export interface MutatorChoice {
  /** Picks a mutator by the current probabilities. */
  pick(rng: Rng): number;
  /** Records an attempt of mutator `i` and whether it improved the front. */
  reward(i: number, improved: boolean): void;
  /** Per mutator: tries, improvements and the current probability. */
  stats(): MutatorStats[];
  /** Adds another choice's tries and improvements (from a parallel worker) to the counts. */
  absorb(stats: readonly MutatorStats[]): void;
}

const ADAPTATION_RATE = 0.05;
const INITIAL_QUALITY = 0.2;

/** A choice among `names`, starting from equal probabilities, each at least `floor`. */
export function mutatorChoice(names: readonly MutatorName[], floor = 0.04): MutatorChoice {
  const k = names.length;
  const quality = new Float64Array(k).fill(INITIAL_QUALITY);
  const tried = new Float64Array(k);
  const improved = new Float64Array(k);
  const probabilities = (): Float64Array => {
    let total = 0;
    for (const q of quality) total += q;
    const p = new Float64Array(k);
    for (let i = 0; i < k; i++) p[i] = floor + ((1 - k * floor) * quality[i]!) / total;
    return p;
  };
  let p = probabilities();
  return {
    pick(rng) {
      let u = rng.next();
      for (let i = 0; i < k - 1; i++) {
        u -= p[i]!;
        if (u < 0) return i;
      }
      return k - 1;
    },
    reward(i, better) {
      tried[i]! += 1;
      if (better) improved[i]! += 1;
      quality[i]! += ADAPTATION_RATE * ((better ? 1 : 0) - quality[i]!);
      // Keep a sliver of quality so the total never reaches zero.
      if (quality[i]! < 1e-6) quality[i] = 1e-6;
      p = probabilities();
    },
    stats() {
      return names.map((name, i) => ({
        name,
        tried: tried[i]!,
        improved: improved[i]!,
        probability: p[i]!,
      }));
    },
    absorb(stats) {
      for (const s of stats) {
        const i = names.indexOf(s.name);
        if (i < 0) continue;
        tried[i]! += s.tried;
        improved[i]! += s.improved;
      }
    },
  };
}
