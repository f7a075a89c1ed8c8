// The interner numbers (source, region) pairs: equal pairs get one id, different pairs different
// ids, and ids count from 0 in order of first use, whatever the hashes of the pairs collide on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Interner } from "../../src/plan/index.js";
import { ZRange } from "../../src/zspace/index.js";

const pair = fc.record({
  source: fc.constantFrom("t:a#0:y", "t:a#1:y", "i:x", "i:w"),
  start: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 0, maxLength: 3 }),
  extent: fc.array(fc.nat({ max: 3 }), { minLength: 3, maxLength: 3 }),
});

const rangeOf = (p: { start: number[]; extent: number[] }) =>
  ZRange.fromBounds(
    p.start,
    p.start.map((s, i) => s + p.extent[i]!),
  );

describe("interning pieces", () => {
  it("gives equal (source, region) pairs one id and different ones dense ids in order of first use", () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 60 }), (pairs) => {
        const interner = new Interner();
        const seen = new Map<string, number>();
        for (const p of pairs) {
          const region = rangeOf(p);
          const key = `${p.source}|${region}`;
          const expected = seen.get(key) ?? seen.size;
          seen.set(key, expected);
          expect(interner.id(interner.source(p.source), region)).toBe(expected);
        }
        expect(interner.size).toBe(seen.size);
      }),
    );
  });

  it("tells apart regions of different ranks with the same corners listed, and grows past its first tables", () => {
    const interner = new Interner();
    const flat = interner.id(interner.source("i:x"), ZRange.fromBounds([], []));
    expect(interner.id(interner.source("i:x"), ZRange.fromBounds([0], [1]))).not.toBe(flat);
    for (let i = 0; i < 500; i++)
      expect(interner.id(interner.source("i:x"), ZRange.fromBounds([i, 0], [i + 1, 2]))).toBe(i + 2);
    for (let i = 0; i < 500; i++)
      expect(interner.id(interner.source("i:x"), ZRange.fromBounds([i, 0], [i + 1, 2]))).toBe(i + 2);
    expect(interner.size).toBe(502);
  });
});
