import type { Operation } from "../ir/program.js";
import type { OperationSharding } from "../shard/operation-sharding.js";
import {
  type CombineGeometry,
  combineGeometry,
  type ShardGeometry,
  scatterCombines,
  shardGeometry,
} from "../shard/shard-geometry.js";
import type { ZRange } from "../zspace/z-range.js";
import type { CombineMode } from "./plan.js";
import type { ProgramFacts } from "./program-facts.js";
import { type Source, sourceKey } from "./source.js";
import { combineTaskId, shardTaskId } from "./task-id.js";

/** A final writer of a tensor region: one output of one task of an operation. */
export interface WriterGeometry {
  readonly tensor: string;
  readonly output: string;
  /** Local task index within the operation (shards first, then combines). */
  readonly task: number;
  readonly region: ZRange;
  readonly source: Source;
  readonly sourceKey: string;
}

/**
 * One operation under one sharding and combine mode, independent of placement: its tasks (shards
 * `0..shards-1`, then combines), the bytes each writes, and the final writers of its outputs.
 */
export interface OpTasks {
  readonly op: Operation;
  readonly index: number;
  readonly sharding: OperationSharding;
  readonly combine: CombineMode;
  readonly shards: readonly ShardGeometry[];
  readonly combines: readonly CombineGeometry[];
  /** Shard positions folded by each combine. */
  readonly combineParts: readonly (readonly number[])[];
  readonly taskIds: readonly string[];
  readonly outBytes: Float64Array;
  /** 1 when a task writes part of a program output (so its outputs are never freed). */
  readonly keepsOutput: Uint8Array;
  readonly writers: readonly WriterGeometry[];
}

/** Derives the tasks of operation `index` under `sharding`, its partials combined by `combine`. */
export function deriveOpTasks(
  facts: ProgramFacts,
  index: number,
  sharding: OperationSharding,
  combine: CombineMode = "gather",
): OpTasks {
  const op = facts.program.operations[index]!;
  const shards = shardGeometry(op, sharding);
  const gathered = combineGeometry(op, shards);
  const combines = combine === "reduce-scatter" ? scatterCombines(gathered) : gathered;
  const outTensor = new Map(op.outputs.map((s) => [s.name, s.tensor]));
  const taskIds: string[] = [];
  const n = shards.length + combines.length;
  const outBytes = new Float64Array(n);
  const keepsOutput = new Uint8Array(n);
  const writers: WriterGeometry[] = [];
  const account = (task: number, outputs: Readonly<Record<string, ZRange>>, final: boolean) => {
    for (const [name, region] of Object.entries(outputs)) {
      const tensor = outTensor.get(name)!;
      const t = facts.tensorIndex.get(tensor)!;
      outBytes[task]! += region.size * facts.elementBytes[t]!;
      if (facts.isOutput[t] && final) keepsOutput[task] = 1;
      if (final) {
        const source: Source = { kind: "task", task: taskIds[task]!, output: name };
        writers.push({ tensor, output: name, task, region, source, sourceKey: sourceKey(source) });
      }
    }
  };
  shards.forEach((s, k) => {
    taskIds.push(shardTaskId(op.id, s.shard));
    account(k, s.outputs, !s.partial);
  });
  combines.forEach((c, b) => {
    taskIds.push(combineTaskId(op.id, c.block, c.chunk));
    account(shards.length + b, c.outputs, true);
  });
  return {
    op,
    index,
    sharding,
    combine,
    shards,
    combines,
    combineParts: combines.map((c) => c.parts),
    taskIds,
    outBytes,
    keepsOutput,
    writers,
  };
}
