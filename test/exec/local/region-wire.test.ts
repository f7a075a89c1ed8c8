// Packing regions for another thread: always a copy the receiver may own, written into a
// recycled buffer when the coordinator has one of the right size.
import { describe, expect, it } from "vitest";
import { RecycledBuffers } from "../../../src/exec/local/recycled-buffers.js";
import { packRegion } from "../../../src/exec/local/region-wire.js";
import { zeroRegion } from "../../../src/kernels/region.js";
import { ZRange } from "../../../src/zspace/index.js";

const whole = zeroRegion("float32", ZRange.fromShape([4, 4]));
whole.data.forEach((_, i) => {
  whole.data[i] = i;
});

describe("packRegion", () => {
  it("copies a box into a fresh buffer it can move, leaving the source intact", () => {
    const { wire, transferList } = packRegion(whole, ZRange.fromBounds([1, 2], [3, 4]));
    expect(Array.from(wire.data)).toEqual([6, 7, 10, 11]);
    expect(transferList).toEqual([wire.data.buffer]);
    const all = packRegion(whole, whole.range);
    expect(all.wire.data).not.toBe(whole.data);
    expect(Array.from(all.wire.data)).toEqual(Array.from(whole.data));
  });

  it("writes into a recycled buffer of exactly the box's size, and refuses one of another size", () => {
    const recycled = new Float32Array([9, 9, 9, 9]).buffer;
    const { wire, transferList } = packRegion(whole, ZRange.fromBounds([1, 2], [3, 4]), "transfer", recycled);
    expect(wire.data.buffer).toBe(recycled);
    expect(Array.from(wire.data)).toEqual([6, 7, 10, 11]);
    expect(transferList).toEqual([recycled]);
    expect(() => packRegion(whole, whole.range, "transfer", new ArrayBuffer(8))).toThrow(/does not fit/);
  });
});

describe("RecycledBuffers", () => {
  it("hands out buffers of exactly the size asked for, each once, until cleared", () => {
    const pool = new RecycledBuffers();
    const [a, b, c] = [new ArrayBuffer(16), new ArrayBuffer(16), new ArrayBuffer(32)];
    pool.give([a, b, c]);
    expect(pool.take(8)).toBeUndefined();
    const first = pool.take(16);
    const second = pool.take(16);
    expect(new Set([first, second])).toEqual(new Set([a, b]));
    expect(pool.take(16)).toBeUndefined();
    pool.clear();
    expect(pool.take(32)).toBeUndefined();
  });
});
