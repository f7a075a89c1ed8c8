import { describe, expect, it } from "vitest";
import { allocate, DTYPE_BYTES, DTYPES, isDType, isFloat, typedArrayOn } from "../../src/base/index.js";

describe("dtypes", () => {
  it("are float32, float64 and int32", () => {
    expect(DTYPES).toEqual(["float32", "float64", "int32"]);
  });

  it.each([
    ["float32", 4, true, Float32Array],
    ["float64", 8, true, Float64Array],
    ["int32", 4, false, Int32Array],
  ] as const)(
    "%s has %i bytes per element, isFloat %s, and is stored in a zeroed %o",
    (d, bytes, float, ctor) => {
      expect(DTYPE_BYTES[d]).toBe(bytes);
      expect(isFloat(d)).toBe(float);
      const data = allocate(d, 3);
      expect(data).toBeInstanceOf(ctor);
      expect(data.BYTES_PER_ELEMENT).toBe(bytes);
      expect([...data]).toEqual([0, 0, 0]);
    },
  );

  it("isDType accepts the names of dtypes only", () => {
    expect(isDType("float32")).toBe(true);
    expect(isDType("float16")).toBe(false);
    expect(isDType(4)).toBe(false);
    expect(isDType(undefined)).toBe(false);
  });
});

describe("typedArrayOn", () => {
  it("views a whole plain or shared buffer as the dtype's array", () => {
    const plain = typedArrayOn("float64", new ArrayBuffer(16));
    expect(plain).toBeInstanceOf(Float64Array);
    expect(plain.length).toBe(2);
    const shared = typedArrayOn("int32", new SharedArrayBuffer(12));
    expect(shared).toBeInstanceOf(Int32Array);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(typedArrayOn("float32", new ArrayBuffer(8)).length).toBe(2);
  });
});
