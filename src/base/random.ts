/**
 * A seeded pseudo-random generator (mulberry32 over a splitmix32-mixed seed): all randomness in
 * Tessera flows from one of these, so a seed reproduces a run exactly.
 */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number;
}

/** A generator whose sequence is fixed by `seed` (any safe integer; distinct seeds, distinct streams). */
export function seededRng(seed: number): Rng {
  // Fold the high bits in too, so seeds that agree modulo 2^32 still differ.
  const high = Math.floor(seed / 4294967296) | 0;
  let z = ((seed | 0) ^ Math.imul(high, 0x27d4eb2f)) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  const next = mulberry32((z ^ (z >>> 16)) >>> 0);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    uniform: (lo, hi) => lo + next() * (hi - lo),
  };
}

/**
 * The bare mulberry32 stream of floats in [0, 1) from a 32-bit state (`seed >>> 0`), without
 * `seededRng`'s seed mixing: for fixtures and benches whose recorded streams began with it.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
