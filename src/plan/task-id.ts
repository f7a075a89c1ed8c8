/** The id of shard `k` of operation `op`: `op#k`. */
export function shardTaskId(op: string, shard: number): string {
  return `${op}#${shard}`;
}

/** The id of the combine step of output block `b` of operation `op`: `op#combine#b`. */
export function combineTaskId(op: string, block: number): string {
  return `${op}#combine#${block}`;
}
