import type { CollectiveKind } from "../cost/collectives.js";

/** One recognised collective as the script runs it. */
export interface CollectiveGroup {
  readonly kind: CollectiveKind;
  /** Member devices, in the order torch's group lists their ranks. */
  readonly members: readonly string[];
  /** Ids of the derived transfers it replaces. */
  readonly transfers: readonly number[];
  /** The Python expression of the combine's value on `device` (for a collective that folds). */
  combineValue(device: string): string;
}

/**
 * Where collectives replace point-to-point transfers: which transfers and combines they take
 * over, and the statements each device runs around a task of the order.
 */
export interface CollectivePlan {
  readonly groups: readonly CollectiveGroup[];
  readonly byTransfer: ReadonlyMap<number, CollectiveGroup>;
  readonly byCombine: ReadonlyMap<string, CollectiveGroup>;
  /** Statements `device` runs before task `task`'s turn in the order (on whichever device it runs); null: after the last. */
  before(task: string | null, device: string): readonly string[];
  /** Statements `device` runs right after its task `task`. */
  after(task: string, device: string): readonly string[];
}

/** A plan that moves everything point to point. */
export function pointToPoint(): CollectivePlan {
  return {
    groups: [],
    byTransfer: new Map(),
    byCombine: new Map(),
    before: () => [],
    after: () => [],
  };
}
