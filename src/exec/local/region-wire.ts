import { allocate, DTYPE_BYTES, type DType, type TypedData, typedArrayOn } from "../../base/dtype.js";
import { type Region, sliceRegion, writeRegion } from "../../kernels/region.js";
import { ZRange } from "../../zspace/z-range.js";

/** A range as plain data (what survives `postMessage`; class instances do not). */
export interface WireRange {
  readonly start: readonly number[];
  readonly end: readonly number[];
}

/** A region as plain data: its typed array travels as is (moved or shared, never re-encoded). */
export interface WireRegion {
  readonly dtype: DType;
  readonly range: WireRange;
  readonly data: TypedData;
}

/**
 * How region bytes cross threads. `transfer`: the sender copies the region into a fresh
 * ArrayBuffer and moves it (postMessage transfer list, no second copy). `shared`: the sender
 * copies it into a SharedArrayBuffer the receiver reads in place. Both cost one copy; see
 * `bench/transfer.mjs` for what each costs end to end and `TRANSFER_MODE` for the choice.
 */
export type TransferMode = "transfer" | "shared";

/**
 * The mode the local executor uses: `transfer`. Measured with `bench/transfer.mjs` (2-core
 * Xeon, Node 20.20; worker → worker over a MessageChannel, a strided box sliced out of a
 * tensor twice as wide, sender's copy included; median MB/s of 7 runs, two sessions):
 *
 * | region | transfer    | shared      | clone (copied by postMessage) |
 * | ------ | ----------: | ----------: | ----------------------------: |
 * | 64 KiB | 2 580–2 810 | 2 810–2 920 | 2 200–2 700                   |
 * | 256 KiB| 3 510–3 920 | 1 730–1 770 | 3 070–3 220                   |
 * | 1 MiB  | 3 310–3 500 | 1 740–1 750 | 2 200–2 310                   |
 * | 4 MiB  | 2 540–2 560 | 2 060–2 440 | 2 090–2 370                   |
 * | 16 MiB |   950–1 140 |   830–850   | 1 130–1 170                   |
 * | 64 MiB |   610       |   470–480   |   380–400                     |
 *
 * Transferables are fastest from 256 KiB to 4 MiB and at 64 MiB, and within ~10% of the best
 * at 64 KiB and 16 MiB; shared buffers lose up to 2× in the middle range. Both modes copy once
 * on the sender, so the gap is the buffer itself: SharedArrayBuffers are allocated fresh each
 * time, while an ArrayBuffer changes owner for free. Every mode slows down for large regions,
 * with system time dominating the runs: most likely the kernel faulting in fresh pages.
 */
export const TRANSFER_MODE: TransferMode = "transfer";

/** The wire form of a range. */
export function rangeToWire(range: ZRange): WireRange {
  return range.toJSON();
}

/** A range back from its wire form (trusted: it was made by `rangeToWire`). */
export function rangeFromWire(wire: WireRange): ZRange {
  return ZRange.unsafe(wire.start.slice(), wire.end.slice());
}

/** A region back from its wire form, viewing the received data in place. */
export function regionFromWire(wire: WireRegion): Region {
  return { dtype: wire.dtype, range: rangeFromWire(wire.range), data: wire.data };
}

function sharedArray(dtype: DType, length: number): TypedData {
  return typedArrayOn(dtype, new SharedArrayBuffer(length * DTYPE_BYTES[dtype]));
}

/**
 * Packs the part of `region` inside `box` for posting: always a fresh copy owning its whole
 * buffer (so moving it never detaches data the sender still holds). In `transfer` mode the
 * copy goes into `recycled` when given (an ArrayBuffer of exactly the copy's size that nothing
 * else uses any more): writing into pages already mapped is several times faster than into a
 * new allocation's. Returns the wire region and the transfer list to pass to `postMessage`.
 */
export function packRegion(
  region: Region,
  box: ZRange,
  mode: TransferMode = TRANSFER_MODE,
  recycled?: ArrayBuffer,
): { wire: WireRegion; transferList: ArrayBuffer[] } {
  if (mode === "shared") {
    const target: Region = { dtype: region.dtype, range: box, data: sharedArray(region.dtype, box.size) };
    writeRegion(target, region);
    return { wire: { dtype: region.dtype, range: rangeToWire(box), data: target.data }, transferList: [] };
  }
  let data: TypedData;
  if (recycled !== undefined) {
    data = typedArrayOn(region.dtype, recycled);
    if (data.length !== box.size)
      throw new Error(`a recycled buffer of ${recycled.byteLength} B does not fit ${box}`);
    writeRegion({ dtype: region.dtype, range: box, data }, region);
  } else {
    // sliceRegion returns `region` itself when the box is all of it: copy then, or moving the
    // buffer would detach the sender's own value.
    data = box.equals(region.range) ? copyData(region) : sliceRegion(region, box).data;
  }
  return {
    wire: { dtype: region.dtype, range: rangeToWire(box), data },
    transferList: [data.buffer as ArrayBuffer],
  };
}

function copyData(region: Region): TypedData {
  const out = allocate(region.dtype, region.data.length);
  out.set(region.data);
  return out;
}
