import type { Redis } from "ioredis";
import { DTYPE_BYTES, type DType, typedArrayOn } from "../../base/dtype.js";
import type { Region } from "../../kernels/region.js";
import { sliceRegion } from "../../kernels/region.js";
import type { ZRange } from "../../zspace/z-range.js";

/**
 * The largest value written under one key. Redis accepts up to 512 MB, but a value that large
 * blocks the server while it is copied and strains its output buffers: regions above this are
 * split over `key:0`, `key:1`, …
 */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

/** How many chunks a region of `bytes` takes (an empty region still takes one, empty, key). */
export function chunkCount(bytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(bytes / chunkBytes));
}

/** The Redis keys of a value of `bytes` stored under `key`. */
export function chunkKeys(key: string, bytes: number, chunkBytes: number): string[] {
  const n = chunkCount(bytes, chunkBytes);
  return n === 1 ? [key] : Array.from({ length: n }, (_, i) => `${key}:${i}`);
}

/** The bytes of `box` of `region`, little-endian as typed arrays are on every platform Node runs on. */
export function regionBytes(region: Region, box: ZRange): Buffer {
  const part = sliceRegion(region, box);
  return Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
}

/**
 * The bytes of `box` of `region` like `regionBytes`, but a view of the region's own buffer
 * when the box is one contiguous run of it (whole trailing dimensions under single leading
 * indices: a row block, or the whole region): for values nothing writes to while they are read,
 * such as program inputs during a run.
 */
export function regionBytesView(region: Region, box: ZRange): Buffer {
  const range = region.range;
  if (!range.contains(box) || box.isEmpty()) return regionBytes(region, box);
  const b0 = box.start.coords;
  const b1 = box.end.coords;
  const r0 = range.start.coords;
  const r1 = range.end.coords;
  let k = box.rank - 1;
  while (k > 0 && b0[k] === r0[k] && b1[k] === r1[k]) k--;
  for (let d = 0; d < k; d++) if (b1[d]! - b0[d]! !== 1) return regionBytes(region, box);
  const width = DTYPE_BYTES[region.dtype];
  const at = region.data.byteOffset + range.offsetOf(box.start) * width;
  return Buffer.from(region.data.buffer, at, box.size * width);
}

/**
 * Writes `bytes` under `key` (chunked above `chunkBytes`), each key expiring after `ttlMs`
 * (a run's keys outlive a dead coordinator by no more than that). Returns the bytes written.
 */
export async function putBytes(
  redis: Redis,
  key: string,
  bytes: Buffer,
  chunkBytes: number,
  ttlMs: number,
): Promise<number> {
  const keys = chunkKeys(key, bytes.byteLength, chunkBytes);
  const pipe = redis.multi();
  keys.forEach((k, i) => {
    pipe.set(k, bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes), "PX", ttlMs);
  });
  await pipe.exec();
  return bytes.byteLength;
}

/** Sets KEYS[2..] to ARGV[2..] (expiring after ARGV[1] ms) only while KEYS[1] exists. */
const PUT_WHILE_EXISTS = `
if redis.call('exists', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do redis.call('set', KEYS[i], ARGV[i], 'PX', ARGV[1]) end
return 1`;

/**
 * Writes every value of `writes` as `putBytes` does, in one atomic step (one round trip), and
 * only while key `guard` exists (a run's meta: a late job of a run that has ended, whose keys
 * were deleted, must not write them again). Returns the bytes written, or undefined when
 * `guard` is gone and nothing was written.
 */
export async function putMany(
  redis: Redis,
  guard: string,
  writes: readonly { readonly key: string; readonly bytes: Buffer }[],
  chunkBytes: number,
  ttlMs: number,
): Promise<number | undefined> {
  const keys = [guard];
  const values: (string | Buffer)[] = [String(ttlMs)];
  let total = 0;
  for (const { key, bytes } of writes) {
    chunkKeys(key, bytes.byteLength, chunkBytes).forEach((k, i) => {
      keys.push(k);
      values.push(bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes));
    });
    total += bytes.byteLength;
  }
  const done = await redis.eval(PUT_WHILE_EXISTS, keys.length, ...keys, ...values);
  return done === 1 ? total : undefined;
}

/**
 * Reads a region of `dtype` over `range` stored by `putBytes`; undefined when a chunk is
 * missing or the bytes do not fit the range (so a caller can tell lost state from a bug).
 */
export async function getRegion(
  redis: Redis,
  key: string,
  dtype: DType,
  range: ZRange,
  chunkBytes: number,
): Promise<Region | undefined> {
  const bytes = range.size * DTYPE_BYTES[dtype];
  const keys = chunkKeys(key, bytes, chunkBytes);
  const parts = await Promise.all(keys.map((k) => redis.getBuffer(k)));
  if (parts.some((p) => p === null)) return undefined;
  const whole = parts.length === 1 ? parts[0]! : Buffer.concat(parts as Buffer[]);
  if (whole.byteLength !== bytes) return undefined;
  // A fresh, aligned buffer: a Buffer from the client may sit at an odd offset of a shared pool.
  const data = new ArrayBuffer(bytes);
  new Uint8Array(data).set(whole);
  return { dtype, range, data: typedArrayOn(dtype, data) };
}
