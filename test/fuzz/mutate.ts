/**
 * A seeded structural mutator of JSON documents: each mutation picks a random node of the
 * document and replaces, deletes, duplicates or renames it, with the values that broke Tessera
 * before (Object.prototype names as ids, 2^53, 1e308, deep nesting, `$schema`, blanks).
 */

/** A JSON value as the mutator handles it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const NAMES = ["toString", "valueOf", "constructor", "__proto__", "hasOwnProperty", "", " ", "a", "$schema"];
const NUMBERS = [0, -1, 1, 0.5, -0, 2 ** 31, 2 ** 32, 2 ** 53, 1e9, 1e20, 1.7e308, -1e308, 5e-324, 3e38];

/** A value nested `depth` levels deep: arrays or objects, as the 5,000-level documents. */
function nested(depth: number, next: () => number): Json {
  let v: Json = 1;
  const asObject = next() < 0.5;
  for (let i = 0; i < depth; i++) v = asObject ? { a: v } : [v];
  return v;
}

/** A replacement value of some awkward kind. */
function awkward(next: () => number, like: Json): Json {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  switch (Math.floor(next() * 10)) {
    case 0:
      return pick(NAMES);
    case 1:
    case 2:
      return pick(NUMBERS);
    case 3:
      return null;
    case 4:
      return next() < 0.5;
    case 5:
      return next() < 0.5 ? [] : {};
    case 6:
      // Deeper than a document file may be (MAX_DOCUMENT_DEPTH, 256), yet within what the
      // JavaScript stack holds for the engine's own JSON.stringify once nested twice.
      return nested(next() < 0.2 ? 1000 : 40, next);
    case 7:
      return Array.isArray(like) ? [...like, ...like] : [like, like];
    case 8:
      return typeof like === "number" ? like * pick([-1, 2 ** 20, 1e-300, 1e300]) : pick(NUMBERS);
    default:
      return typeof like === "string"
        ? pick(["NaN", "Infinity", "float16", "int64", like.repeat(3)])
        : pick(NAMES);
  }
}

/** Every path to a node of `doc`, up to `limit` of them (breadth first). */
function paths(doc: Json, limit = 4000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const queue: [Json, (string | number)[]][] = [[doc, []]];
  while (queue.length > 0 && out.length < limit) {
    const [v, p] = queue.shift()!;
    out.push(p);
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) queue.push([v[i]!, [...p, i]]);
    else if (v !== null && typeof v === "object")
      for (const k of Object.keys(v)) queue.push([v[k]!, [...p, k]]);
  }
  return out;
}

/** A copy of `doc` with `count` random mutations applied. */
export function mutate(doc: Json, next: () => number, count: number): Json {
  let root: Json = structuredClone(doc);
  for (let m = 0; m < count; m++) {
    const all = paths(root);
    const path = all[Math.floor(next() * all.length)]!;
    if (path.length === 0) {
      root = awkward(next, root);
      continue;
    }
    let parent: Json = root;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[k]!;
    const key = path[path.length - 1]!;
    const container = parent as Record<string | number, Json>;
    const op = next();
    if (op < 0.15 && !Array.isArray(parent)) {
      delete container[key];
    } else if (op < 0.3 && !Array.isArray(parent)) {
      // Rename: the value under an awkward key (defineProperty keeps `__proto__` an own key).
      const value = container[key]!;
      delete container[key];
      Object.defineProperty(container, NAMES[Math.floor(next() * NAMES.length)]!, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      container[key] = awkward(next, container[key]!);
    }
  }
  return root;
}
