// The worker's cache of kept program inputs: keyed, bounded, least recently used dropped first.
import { describe, expect, it } from "vitest";
import { InputCache } from "../../../src/exec/distributed/input-cache.js";
import type { Region } from "../../../src/kernels/region.js";
import { ZRange } from "../../../src/zspace/z-range.js";

/** A float32 region of `n` elements (4n bytes). */
function region(n: number): Region {
  return { dtype: "float32", range: ZRange.fromShape([n]), data: new Float32Array(n) };
}

describe("InputCache", () => {
  it("finds a region only under its key, with the same dtype and box", () => {
    const cache = new InputCache(1000);
    const r = region(10);
    cache.put("e/0/1/d0|x|[0,10)", "e", 0, r);
    expect(cache.get("e/0/1/d0|x|[0,10)", "float32", ZRange.fromShape([10]))).toBe(r);
    expect(cache.get("e/0/2/d0|x|[0,10)", "float32", ZRange.fromShape([10]))).toBeUndefined();
    expect(cache.get("e/0/1/d0|x|[0,10)", "int32", ZRange.fromShape([10]))).toBeUndefined();
    expect(cache.get("e/0/1/d0|x|[0,10)", "float32", ZRange.fromShape([9]))).toBeUndefined();
    expect(cache.bytes).toBe(40);
  });

  it("stays within its bound, dropping the least recently used first; never keeps a region larger than it", () => {
    const cache = new InputCache(100);
    const r = ZRange.fromShape([10]);
    cache.put("a", "e", 0, region(10));
    cache.put("b", "e", 0, region(10));
    // "a" used last: "b" goes first.
    cache.get("a", "float32", r);
    cache.put("c", "e", 0, region(10));
    expect(cache.bytes).toBe(80);
    expect(cache.get("b", "float32", r)).toBeUndefined();
    expect(cache.get("a", "float32", r)).toBeDefined();
    expect(cache.get("c", "float32", r)).toBeDefined();
    cache.put("big", "e", 0, region(26));
    expect(cache.get("big", "float32", ZRange.fromShape([26]))).toBeUndefined();
    expect(cache.bytes).toBe(80);
    // Put again under the same key: replaced, not counted twice.
    cache.put("a", "e", 0, region(10));
    expect(cache.bytes).toBe(80);
    expect(new InputCache(0).size).toBe(0);
    const none = new InputCache(0);
    none.put("a", "e", 0, region(1));
    expect(none.size).toBe(0);
  });

  it("drops an executor's regions a run does not reuse, or all of them; other executors' stay", () => {
    const cache = new InputCache(1000);
    cache.put("a", "e", 0, region(1));
    cache.put("b", "e", 0, region(1));
    cache.put("c", "f", 0, region(1));
    cache.retain("e", new Set(["b"]));
    expect(cache.size).toBe(2);
    cache.retain("e", null);
    expect(cache.executors()).toEqual(new Map([["f", new Set([0])]]));
  });

  it("drops the regions of a gone executor or of an ended generation", () => {
    const cache = new InputCache(1000);
    cache.put("a", "e", 0, region(1));
    cache.put("b", "e", 1, region(2));
    cache.put("c", "f", 0, region(1));
    expect(cache.dropStale("e", 1)).toEqual({ regions: 1, bytes: 4 });
    expect(cache.dropStale("e", 1)).toEqual({ regions: 0, bytes: 0 });
    expect(cache.dropStale("f", null)).toEqual({ regions: 1, bytes: 4 });
    expect(cache.size).toBe(1);
    cache.clear();
    expect(cache.bytes).toBe(0);
  });
});
