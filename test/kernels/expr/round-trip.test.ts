import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type IntExpr,
  type IntOp,
  type ListExpr,
  type ListItem,
  parseIntExpr,
  parseList,
  parseScalar,
  printIntExpr,
  printList,
  printScalar,
  SCALAR_FUNCTIONS,
  type ScalarExpr,
  type ScalarFnName,
  type ScalarOp,
} from "../../../src/kernels/expr/index.js";

// Names include the function names on purpose: `max` is an index variable unless a '(' follows.
const name = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,3}$/),
  fc.constantFrom("max", "min", "e", "E1", "i"),
);
const intOps: IntOp[] = ["+", "-", "*", "//", "%"];

/** Integer expressions; bare names (index variables) only when `indexVars` (as the grammar allows). */
function intExpr(indexVars: boolean): fc.Arbitrary<IntExpr> {
  return fc.letrec<{ e: IntExpr }>((tie) => {
    const leaves: fc.Arbitrary<IntExpr>[] = [
      fc.oneof(fc.nat(), fc.maxSafeNat()).map((value): IntExpr => ({ kind: "int", value })),
      name.map((n): IntExpr => ({ kind: "size", name: n })),
      name.map((n): IntExpr => ({ kind: "param", name: n })),
    ];
    if (indexVars) leaves.push(name.map((n): IntExpr => ({ kind: "index", name: n })));
    return {
      e: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        ...leaves,
        fc
          .record({ op: fc.constantFrom(...intOps), left: tie("e"), right: tie("e") })
          .map((r): IntExpr => ({ kind: "binary", ...r })),
        tie("e").map((operand): IntExpr => ({ kind: "neg", operand })),
        fc
          .tuple(fc.constantFrom<"max" | "min">("max", "min"), tie("e"), tie("e"))
          .map(([fn, a, b]): IntExpr => ({ kind: "call", fn, args: [a, b] })),
        // A list param's index never mentions index variables (the grammar parses it without them).
        fc.tuple(name, intExpr0()).map(([n, index]): IntExpr => ({ kind: "param", name: n, index })),
      ),
    };
  }).e;
}

/** A small index-free expression for param subscripts and dimension extents. */
function intExpr0(): fc.Arbitrary<IntExpr> {
  return fc.oneof(
    fc.nat(9).map((value): IntExpr => ({ kind: "int", value })),
    name.map((n): IntExpr => ({ kind: "size", name: n })),
    fc.tuple(name, fc.nat(5)).map(
      ([n, v]): IntExpr => ({
        kind: "binary",
        op: "-",
        left: { kind: "size", name: n },
        right: { kind: "int", value: v },
      }),
    ),
  );
}

const listItem: fc.Arbitrary<ListItem> = fc.oneof(
  intExpr(true).map((expr): ListItem => ({ kind: "expr", expr })),
  name.map((n): ListItem => ({ kind: "sizeGroup", name: n })),
  name.map((n): ListItem => ({ kind: "indexGroup", name: n })),
  fc.tuple(name, intExpr(false)).map(([n, size]): ListItem => ({ kind: "dim", name: n, size })),
  fc.tuple(name, name).map(([n, group]): ListItem => ({ kind: "dimGroup", name: n, group })),
);

const list: fc.Arbitrary<ListExpr> = fc
  .array(listItem, { maxLength: 5 })
  .map((items): ListExpr => ({ kind: "list", items }));

const scalarOps: ScalarOp[] = ["+", "-", "*", "/"];
const unaryFns = (Object.keys(SCALAR_FUNCTIONS) as ScalarFnName[]).filter((f) => SCALAR_FUNCTIONS[f] === 1);
const binaryFns = (Object.keys(SCALAR_FUNCTIONS) as ScalarFnName[]).filter((f) => SCALAR_FUNCTIONS[f] === 2);

const scalar: fc.Arbitrary<ScalarExpr> = fc.letrec<{ e: ScalarExpr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    // `+ 0` turns -0 into 0: literals are never negative, `-x` is neg(x).
    fc
      .double({ min: 0, noNaN: true, noDefaultInfinity: true })
      .map((v): ScalarExpr => ({ kind: "number", value: v + 0 })),
    name.map((n): ScalarExpr => ({ kind: "operand", name: n })),
    name.map((n): ScalarExpr => ({ kind: "param", name: n })),
    fc
      .record({ op: fc.constantFrom(...scalarOps), left: tie("e"), right: tie("e") })
      .map((r): ScalarExpr => ({ kind: "binary", ...r })),
    tie("e").map((operand): ScalarExpr => ({ kind: "neg", operand })),
    fc
      .tuple(fc.constantFrom(...unaryFns), tie("e"))
      .map(([fn, a]): ScalarExpr => ({ kind: "call", fn, args: [a] })),
    fc
      .tuple(fc.constantFrom(...binaryFns), tie("e"), tie("e"))
      .map(([fn, a, b]): ScalarExpr => ({ kind: "call", fn, args: [a, b] })),
  ),
})).e;

describe("print ∘ parse = id", () => {
  test("integer expressions: parse(print(ast)) deep-equals ast, and printing is idempotent", () => {
    fc.assert(
      fc.property(intExpr(true), (ast) => {
        const text = printIntExpr(ast);
        const back = parseIntExpr(text);
        expect(back).toEqual(ast);
        expect(printIntExpr(back)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  test("lists of every item kind", () => {
    fc.assert(
      fc.property(list, (ast) => {
        const text = printList(ast);
        expect(parseList(text)).toEqual(ast);
      }),
      { numRuns: 500 },
    );
  });

  test("scalar expressions", () => {
    fc.assert(
      fc.property(scalar, (ast) => {
        const text = printScalar(ast);
        const back = parseScalar(text);
        expect(back).toEqual(ast);
        expect(printScalar(back)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
