import { cheapRecomputable, recomputableActivations } from "../../autodiff/recompute-program.js";
import { operationDependencies } from "../../ir/dependencies.js";
import type { Operation, Program } from "../../ir/program.js";
import { dimensionClasses } from "../../shard/dimension-classes.js";
import { type Layout, layoutChoices } from "./layout-choices.js";
import { operationTwins } from "./operation-twins.js";
import type { Pin } from "./pins.js";

/** What the search may change about one operation, and who it exchanges data with. */
export interface OpSpace {
  readonly op: Operation;
  /** Position in the program. */
  readonly index: number;
  /** Positions of the operations it reads from. */
  readonly producers: readonly number[];
  /** Producers and consumers. */
  readonly neighbours: readonly number[];
  /** Positions of the operations of the same kind (see `operationTwins`): its layer class. */
  readonly twins: readonly number[];
  /** The dimension class of each index dimension (see `dimensionClasses`). */
  readonly classes: readonly number[];
  /** The pinned sharding, when pinned. */
  readonly pinnedSplits: Pin["splits"];
  /** The pinned placement (with a pinned sharding), when pinned. */
  readonly pinnedDevices: Pin["devices"];
  /** The devices its shards may run on: the pinned set, or all. */
  readonly allowed: readonly string[];
  /** Its candidate layouts (computed on first use). */
  layouts(): readonly Layout[];
}

/** The space a search walks: the devices, and per operation what may change. */
export interface SearchSpace {
  readonly devices: readonly string[];
  readonly ops: readonly OpSpace[];
  /** Positions of operations whose sharding is free. */
  readonly resplittable: readonly number[];
  /** Positions of operations whose placement is free. */
  readonly movable: readonly number[];
  /** Activations a plan may recompute (`recomputableActivations`): empty unless a training step. */
  readonly recomputable: readonly string[];
  /** Those of them that cheap kernels write (`cheapRecomputable`). */
  readonly cheap: readonly string[];
}

/** The search space of `program` on `devices` under `pins` (checked beforehand by `checkPins`). */
export function searchSpace(program: Program, devices: readonly string[], pins: readonly Pin[]): SearchSpace {
  const deps = operationDependencies(program.operations);
  const consumers: number[][] = program.operations.map(() => []);
  deps.forEach((ps, c) => {
    for (const p of ps) consumers[p]!.push(c);
  });
  const classes = dimensionClasses(program);
  const twins = operationTwins(program);
  const pinOf = new Map(pins.map((p) => [p.op, p]));
  const ops = program.operations.map((op, index): OpSpace => {
    const pin = pinOf.get(op.id);
    let cache: readonly Layout[] | undefined;
    const pinnedSplits = pin?.splits;
    const pinnedDevices = pinnedSplits === undefined ? undefined : pin?.devices;
    return {
      op,
      index,
      producers: deps[index]!,
      neighbours: [...new Set([...deps[index]!, ...consumers[index]!])],
      twins: twins[index]!,
      classes: classes.index[op.id] ?? [],
      pinnedSplits,
      pinnedDevices,
      allowed: pin?.devices ?? devices,
      layouts: () => {
        cache ??= pinnedSplits === undefined ? layoutChoices(op, devices.length) : [];
        return cache;
      },
    };
  });
  return {
    devices,
    ops,
    resplittable: ops.filter((o) => o.pinnedSplits === undefined).map((o) => o.index),
    movable: ops.filter((o) => o.pinnedDevices === undefined).map((o) => o.index),
    recomputable: recomputableActivations(program),
    cheap: cheapRecomputable(program),
  };
}
