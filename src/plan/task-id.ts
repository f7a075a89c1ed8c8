/** The id of shard `k` of operation `op`: `op#k`. */
export function shardTaskId(op: string, shard: number): string {
  return `${op}#${shard}`;
}

/**
 * The id of the combine step of output block `b` of operation `op`: `op#combine#b`, or
 * `op#combine#b.j` for chunk `j` of a scattered reduction.
 */
export function combineTaskId(op: string, block: number, chunk?: number): string {
  return chunk === undefined ? `${op}#combine#${block}` : `${op}#combine#${block}.${chunk}`;
}
