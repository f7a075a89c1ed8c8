import type { Monoid } from "../signature.js";

/** The identity element of each monoid (what an empty partial holds). */
export const MONOID_IDENTITY: Readonly<Record<Monoid, number>> = {
  sum: 0,
  prod: 1,
  max: Number.NEGATIVE_INFINITY,
  min: Number.POSITIVE_INFINITY,
};

/** The binary fold of each monoid. */
export const MONOID_FOLD: Readonly<Record<Monoid, (a: number, b: number) => number>> = {
  sum: (a, b) => a + b,
  prod: (a, b) => a * b,
  max: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  min: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
};
