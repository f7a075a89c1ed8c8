import { TesseraError } from "../base/errors.js";

/**
 * Checks an explicit execution order against the tasks it must list and returns it as
 * positions in `ids`. `depsOf(i)` lists the positions task `i` reads from. Throws
 * `invalid_order` naming the first entry that is unknown, listed twice or ordered before a
 * task it reads from, or the first task the order leaves out. The one order check: the task
 * graph and the simulator both go through it.
 */
export function orderPositions(
  order: readonly string[],
  ids: readonly string[],
  depsOf: (task: number) => Iterable<number>,
): Int32Array {
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    index.set(id, i);
  });
  const seen = new Uint8Array(ids.length);
  const out = new Int32Array(ids.length);
  order.forEach((id, i) => {
    const t = index.get(id);
    if (t === undefined || seen[t] === 1) {
      throw new TesseraError(
        "invalid_order",
        `order entry ${i} '${id}' is ${t === undefined ? "not a task of this plan" : "listed twice"}`,
        { index: i, task: id },
      );
    }
    for (const d of depsOf(t)) {
      if (seen[d] !== 1) {
        throw new TesseraError(
          "invalid_order",
          `task '${id}' is ordered before '${ids[d]}', which it reads from`,
          { index: i, task: id, dependency: ids[d]! },
        );
      }
    }
    seen[t] = 1;
    out[i] = t;
  });
  const absent = ids.findIndex((_, i) => seen[i] !== 1);
  if (absent >= 0)
    throw new TesseraError("invalid_order", `the order leaves out task '${ids[absent]}'`, {
      task: ids[absent]!,
    });
  return out;
}
