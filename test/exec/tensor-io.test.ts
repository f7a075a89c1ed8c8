import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DType } from "../../src/base/dtype.js";
import { TesseraError } from "../../src/base/errors.js";
import { decodeNpy, encodeNpy } from "../../src/exec/npy-file.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/exec/safetensors-file.js";
import { readTensorValues, tensorFormat, writeTensorValues } from "../../src/exec/tensor-io.js";
import type { Region } from "../../src/kernels/region.js";
import { ZRange } from "../../src/zspace/index.js";
import { thrown } from "../support/thrown.js";
import { tensor, valuesOf } from "./tensor-values.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-tensor-io-"));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The `invalid_tensor_file` error `f` throws, with its reason. */
function invalid(f: () => unknown): TesseraError {
  const e = thrown(f);
  expect(e).toBeInstanceOf(TesseraError);
  expect((e as TesseraError).code).toBe("invalid_tensor_file");
  return e as TesseraError;
}

/** An npy file with a hand-written header (version 1) and body. */
function npy(header: string, body: Uint8Array = new Uint8Array(), major = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + text.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lenBytes);
  out.set(body, 8 + lenBytes + text.length);
  return out;
}

/** A safetensors file with a hand-written header object (or text) and data. */
function safetensors(header: unknown, data: Uint8Array = new Uint8Array()): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const bytesOf = (a: Float32Array | Float64Array | Int32Array | BigInt64Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function expectSame(got: Region | undefined, want: Region): void {
  expect(got).toBeDefined();
  expect(got!.dtype).toBe(want.dtype);
  expect(got!.range.equals(want.range)).toBe(true);
  expect(valuesOf(got!)).toEqual(valuesOf(want));
}

const VALUES = {
  f32: tensor([2, 3], [0.1, -2.5, 1e-30, 3.4e38, Number.NaN, Number.NEGATIVE_INFINITY]),
  f64: tensor(ZRange.fromBounds([-1], [3]), [0.1, 1e-300, 2 ** 53, -Math.PI], "float64"),
  i32: tensor([3], [-(2 ** 31), 0, 2 ** 31 - 1], "int32"),
  scalar: tensor([], [7], "float64"),
  empty: tensor([0, 3], [], "int32"),
};

describe("binary tensor files round-trip values bit for bit", () => {
  it("safetensors keeps every tensor, dtype, value and (through its metadata) the range's origin", () => {
    const path = join(dir, "all.safetensors");
    expect(writeTensorValues(path, VALUES)).toBe("safetensors");
    const back = readTensorValues([path]);
    expect(Object.keys(back)).toEqual(Object.keys(VALUES));
    for (const [id, r] of Object.entries(VALUES)) expectSame(back[id], r);
  });

  it("npy holds one tensor, named by the file or by name=path, placed at the program's range", () => {
    for (const [id, r] of Object.entries(VALUES)) {
      const path = join(dir, `${id}.npy`);
      expect(writeTensorValues(path, { [id]: r })).toBe("npy");
      expectSame(readTensorValues([path], () => r.range)[id], r);
      const renamed = readTensorValues([`other=${path}`], () => r.range);
      expectSame(renamed.other, r);
    }
  });

  it("npy without a program range starts at the origin", () => {
    const path = join(dir, "shifted.npy");
    writeTensorValues(path, { shifted: VALUES.f64 });
    expect(readTensorValues([path]).shifted!.range.equals(ZRange.fromShape([4]))).toBe(true);
  });

  it("property: any values of any dtype round-trip through both formats", () => {
    const arrays = fc.oneof(
      fc.float32Array({ maxLength: 24 }).map((d) => ({ dtype: "float32" as DType, data: Array.from(d) })),
      fc.float64Array({ maxLength: 24 }).map((d) => ({ dtype: "float64" as DType, data: Array.from(d) })),
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 24 }).map((data) => ({
        dtype: "int32" as DType,
        data,
      })),
    );
    fc.assert(
      fc.property(arrays, ({ dtype, data }) => {
        const r = tensor([data.length], data, dtype);
        const a = decodeNpy(encodeNpy({ dtype, shape: [data.length], data: r.data }), "x.npy");
        expect(Object.is(a.data.length, data.length)).toBe(true);
        expect(bytesOf(a.data)).toEqual(bytesOf(r.data));
        const s = decodeSafetensors(
          encodeSafetensors({ x: { dtype, shape: [data.length], data: r.data } }),
          "x",
        );
        expect(bytesOf(s.x!.data)).toEqual(bytesOf(r.data));
      }),
      { numRuns: 50 },
    );
  });

  it("npy headers are padded to 64 bytes, as numpy writes them", () => {
    const bytes = encodeNpy({ dtype: "float32", shape: [5], data: new Float32Array(5) });
    expect((bytes.length - 20) % 64).toBe(0);
    expect(new TextDecoder("latin1").decode(bytes.subarray(10, bytes.length - 20))).toMatch(
      /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(5,\), \} *\n$/,
    );
  });
});

describe("npy files as other writers make them", () => {
  it("reads big-endian values, Fortran order and version 2 headers", () => {
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.5, false);
    new DataView(be.buffer).setFloat32(4, -2, false);
    const a = decodeNpy(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }\n", be), "be.npy");
    expect(Array.from(a.data)).toEqual([1.5, -2]);
    // Column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6.
    const f = decodeNpy(
      npy(
        "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }\n",
        bytesOf(Float64Array.of(1, 4, 2, 5, 3, 6)),
      ),
      "f.npy",
    );
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const v2 = decodeNpy(
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (), }\n", bytesOf(Int32Array.of(9)), 2),
      "v2.npy",
    );
    expect(v2.shape).toEqual([]);
    expect(Array.from(v2.data)).toEqual([9]);
  });

  it("reads int64 (PyTorch's default integer) as int32 when every value fits", () => {
    const a = decodeNpy(
      npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", bytesOf(BigInt64Array.of(-5n, 7n))),
      "l.npy",
    );
    expect(a.dtype).toBe("int32");
    expect(Array.from(a.data)).toEqual([-5, 7]);
  });
});

describe("malformed npy files are invalid_tensor_file, naming the reason", () => {
  const header = (descr: string, shape: string) =>
    `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }\n`;
  const cases: [string, Uint8Array, RegExp][] = [
    ["not npy at all", new TextEncoder().encode("hello world, not numpy"), /npy magic/],
    ["an unknown format version", npy(header("<f4", "(1,)"), new Uint8Array(4), 9), /format version 9/],
    ["a cut-off header length", npy("").subarray(0, 9), /npy magic|header length/],
    ["a header longer than the file", npy(header("<f4", "(1,)")).subarray(0, 20), /header needs/],
    ["a header without a shape", npy("{'descr': '<f4', 'fortran_order': False}\n"), /lacks descr/],
    ["a shape that is not counts", npy(header("<f4", "(2, -1)")), /not a tuple/],
    ["a dtype Tessera does not read", npy(header("<f2", "(1,)"), new Uint8Array(2)), /dtype '<f2'/],
    ["a body shorter than the shape", npy(header("<f4", "(3,)"), new Uint8Array(8)), /needs 12 bytes/],
    [
      "an int64 that does not fit int32",
      npy(header("<i8", "(1,)"), bytesOf(BigInt64Array.of(2n ** 40n))),
      /does not fit int32/,
    ],
  ];
  for (const [what, bytes, reason] of cases) {
    it(what, () => {
      const path = file("bad.npy", bytes);
      const e = invalid(() => readTensorValues([path]));
      expect(e.message).toMatch(reason);
      expect(e.context).toMatchObject({ path, format: "npy" });
    });
  }
});

describe("malformed safetensors files are invalid_tensor_file, naming the reason and tensor", () => {
  const f32 = (n: number) => ({ dtype: "F32", shape: [n], data_offsets: [0, 4 * n] });
  const cases: [string, Uint8Array, RegExp][] = [
    ["shorter than the header length", new Uint8Array(5), /shorter than/],
    ["a header length past the end", safetensors("{}").subarray(0, 9), /runs past the end/],
    ["a header that is not JSON", safetensors("{nope"), /not UTF-8 JSON/],
    ["a header that is not an object", safetensors("[1]"), /not a JSON object/],
    ["metadata that is not strings", safetensors({ __metadata__: { a: 1 } }), /__metadata__/],
    ["an entry that is not an object", safetensors({ x: 3 }), /entry 'x'/],
    [
      "an unknown dtype",
      safetensors({ x: { dtype: "BF16", shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
      /dtype "BF16"/,
    ],
    [
      "a shape that is not counts",
      safetensors({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }),
      /shape/,
    ],
    [
      "offsets that are not [begin, end]",
      safetensors({ x: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }),
      /data_offsets/,
    ],
    ["offsets past the data", safetensors({ x: f32(2) }, new Uint8Array(4)), /ends at byte 8/],
    [
      "offsets disagreeing with the shape",
      safetensors({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(8)),
      /needs 8 bytes/,
    ],
    [
      "a start that is not a list of integers",
      safetensors({ __metadata__: { "tessera.start.x": "[1.5]" }, x: f32(1) }, new Uint8Array(4)),
      /tessera\.start\.x/,
    ],
    [
      "an int64 that does not fit int32",
      safetensors(
        { x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } },
        bytesOf(BigInt64Array.of(-(2n ** 33n))),
      ),
      /does not fit int32/,
    ],
  ];
  for (const [what, bytes, reason] of cases) {
    it(what, () => {
      const path = file("bad.safetensors", bytes);
      const e = invalid(() => readTensorValues([path]));
      expect(e.message).toMatch(reason);
      expect(e.context).toMatchObject({ path, format: "safetensors" });
    });
  }
});

describe("choosing and combining tensor files", () => {
  it("the format follows the extension, case-insensitively", () => {
    expect(tensorFormat("a.NPY")).toBe("npy");
    expect(tensorFormat("w.safetensors")).toBe("safetensors");
    expect(tensorFormat("t.json")).toBe("json");
    expect(tensorFormat("t.yaml")).toBe("json");
  });

  it("a tensor given by two files is invalid_argument naming both", () => {
    const a = join(dir, "dup.safetensors");
    writeTensorValues(a, { x: VALUES.f32 });
    const b = join(dir, "x.npy");
    writeTensorValues(b, { x: VALUES.f32 });
    const e = thrown(() => readTensorValues([a, b])) as TesseraError;
    expect(e.code).toBe("invalid_argument");
    expect(e.context).toMatchObject({ tensor: "x", first: a, second: b });
  });

  it("writing several tensors to one .npy is invalid_argument suggesting safetensors", () => {
    const e = thrown(() =>
      writeTensorValues(join(dir, "two.npy"), { a: VALUES.f32, b: VALUES.i32 }),
    ) as TesseraError;
    expect(e.code).toBe("invalid_argument");
    expect(e.message).toMatch(/\.safetensors/);
  });

  it("a missing file is file_not_found and an unwritable one write_failed", () => {
    expect((thrown(() => readTensorValues([join(dir, "none.npy")])) as TesseraError).code).toBe(
      "file_not_found",
    );
    const e = thrown(() => writeTensorValues(join(dir, "no-such-dir", "x.safetensors"), { x: VALUES.f32 }));
    expect((e as TesseraError).code).toBe("write_failed");
  });
});
