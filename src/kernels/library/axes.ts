import type { IssueCollector } from "../../base/issue.js";
import { paramPath } from "./operands.js";

/**
 * Resolves an axis param against a rank the numpy way (`-1` is the last dimension), recording
 * `invalid_param` at `<opPath>/params/<key>[/<entry>]` when it is outside `[-rank, rank)`.
 */
export function resolveAxis(
  axis: number,
  rank: number,
  key: string,
  entry: number | undefined,
  operand: string,
  issues: IssueCollector,
  opPath: string,
): number | undefined {
  if (axis >= -rank && axis < rank) return axis < 0 ? axis + rank : axis;
  const label = entry === undefined ? key : `${key}[${entry}]`;
  const allowed = rank === 0 ? "none: it is a scalar" : `expected ${-rank}..${rank - 1}`;
  issues.add(
    "invalid_param",
    paramPath(opPath, key, entry),
    `\`${label}\` = ${axis} is out of range for input ${operand} of rank ${rank} (${allowed})`,
    { param: key, found: axis, rank },
  );
  return undefined;
}

/** A slice bound the numpy way: a negative one counts from the end, then clamped to `[0, size]`. */
export function sliceBound(i: number, size: number): number {
  const j = i < 0 ? i + size : i;
  return Math.min(Math.max(j, 0), size);
}
