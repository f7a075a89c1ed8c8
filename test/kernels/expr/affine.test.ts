import { describe, expect, test } from "vitest";
import { isTesseraError } from "../../../src/base/errors.js";
import {
  Bindings,
  compileAffineExpr,
  compileBoxShape,
  compileProjection,
  evaluateIndexSpace,
  type IndexSpace,
  type IntEnv,
  parseBoxShape,
  parseIndexSpace,
  parseIntExpr,
  parseProjection,
} from "../../../src/kernels/expr/index.js";
import { ZAffineMap } from "../../../src/zspace/index.js";

const env: IntEnv = {
  bindings: Bindings.empty()
    .withSize("n", 5, "input x")
    .withSize("m", 6, "input x")
    .withSize("d", 7, "input x")
    .withSize("k", 3, "input x")
    .withSize("oh", 4, "input x")
    .withGroup("batch", [2, 3], "input x"),
  params: { stride: 2, pad: 1, pads: [4, 5] },
};

function space(source: string): IndexSpace {
  return evaluateIndexSpace(parseIndexSpace(source), env);
}

function errorOf(run: () => unknown): { code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (isTesseraError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected an error");
}

describe("index spaces", () => {
  test("evaluate extents and expand groups into numbered dimensions", () => {
    const s = space("[b...: $batch..., oh: $oh, kh: $k, w: ($d + 2 * @pad - $k) // @stride + 1]");
    expect(s.names).toEqual(["b0", "b1", "oh", "kh", "w"]);
    expect(s.sizes).toEqual([2, 3, 4, 3, 4]);
    expect([...s.vars]).toEqual([
      ["oh", 2],
      ["kh", 3],
      ["w", 4],
    ]);
    expect([...s.groups]).toEqual([["b", [0, 1]]]);
  });

  test("reject a negative extent, a duplicate name and an unbound group", () => {
    expect(errorOf(() => space("[i: $k - $n]")).code).toBe("negative_extent");
    expect(errorOf(() => space("[i: $n, i: $m]")).code).toBe("invalid_declaration");
    expect(errorOf(() => space("[s...: $nope...]"))).toEqual({
      code: "unbound_variable",
      message: "$nope... is not bound by any shape pattern",
    });
  });
});

describe("projections compile to affine maps", () => {
  const nmd = space("[n: $n, m: $m, d: $d]");

  test("point lists select index dimensions", () => {
    const map = compileProjection(parseProjection("[n, d]"), nmd, env);
    expect(
      map.equals(
        ZAffineMap.fromMatrix(
          [
            [1, 0, 0],
            [0, 0, 1],
          ],
          [0, 0],
          3,
        ),
      ),
    ).toBe(true);
  });

  test("a strided, padded convolution window over batch groups", () => {
    const s = space("[b...: $batch..., oh: $oh, kh: $k]");
    const map = compileProjection(parseProjection("[b..., oh * @stride + kh - @pad]"), s, env);
    const expected = ZAffineMap.fromMatrix(
      [
        [1, 0, 0, 0],
        [0, 1, 0, 0],
        [0, 0, 2, 1],
      ],
      [0, 0, -1],
      4,
    );
    expect(map.equals(expected)).toBe(true);
  });

  test.each([
    ["-(n - 2 * m) + $d", [-1, 2, 0], 7],
    ["(n + 1) * 3", [3, 0, 0], 3],
    ["3 * (n + 1) - n", [2, 0, 0], 3],
    ["@pads[1] + d - @pads[0]", [0, 0, 1], 1],
    ["n * ($k // 2) + max($n, $m) % 4", [1, 0, 0], 2],
    ["$n * $m", [0, 0, 0], 30],
  ])("%s has coefficients %j and constant %d", (source, coeffs, constant) => {
    expect(compileAffineExpr(parseIntExpr(source), nmd, env)).toEqual({ coeffs, constant });
  });

  test("a rank-0 operand compiles to a map with no rows", () => {
    const map = compileProjection(parseProjection("[]"), nmd, env);
    expect(map.outRank).toBe(0);
    expect(map.inRank).toBe(3);
  });

  test.each([
    ["n * m", "n * m is not affine in the index variables: n * m multiplies two index-dependent terms"],
    [
      "(n + 1) * (d - 1)",
      "(n + 1) * (d - 1) is not affine in the index variables: (n + 1) * (d - 1) multiplies two index-dependent terms",
    ],
    ["n // 2", "n // 2 is not affine in the index variables: n // 2 applies // to an index-dependent term"],
    [
      "$n % (d + 1)",
      "$n % (d + 1) is not affine in the index variables: $n % (d + 1) applies % to an index-dependent term",
    ],
    [
      "max(n, 0) + 1",
      "max(n, 0) + 1 is not affine in the index variables: max(n, 0) takes max of an index-dependent term",
    ],
  ])("%s is rejected as not_affine", (source, message) => {
    expect(errorOf(() => compileAffineExpr(parseIntExpr(source), nmd, env))).toEqual({
      code: "not_affine",
      message,
    });
  });

  test("names the index space does not declare are unbound", () => {
    expect(errorOf(() => compileAffineExpr(parseIntExpr("q + 1"), nmd, env))).toEqual({
      code: "unbound_variable",
      message: "index variable q is not declared in the index space",
    });
    const s = space("[b...: $batch..., n: $n]");
    expect(errorOf(() => compileProjection(parseProjection("[b, n]"), s, env)).message).toBe(
      "index variable b is not declared in the index space; b is an index group, write b...",
    );
    expect(errorOf(() => compileProjection(parseProjection("[c..., n]"), s, env)).code).toBe(
      "unbound_variable",
    );
  });
});

describe("box shapes", () => {
  test("extents, size groups (their sizes) and index groups (ones)", () => {
    const s = space("[b...: $batch..., oh: $oh]");
    expect(compileBoxShape(parseBoxShape("[b..., $k, $batch..., @stride + 1]"), s, env)).toEqual([
      1, 1, 3, 2, 3, 3,
    ]);
  });

  test("a negative extent is rejected", () => {
    expect(errorOf(() => compileBoxShape(parseBoxShape("[$n - $m]"), space("[]"), env)).code).toBe(
      "negative_extent",
    );
  });
});
