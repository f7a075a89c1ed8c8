// Type tests for the public builder API. vitest does not typecheck: `npx tsc -p tsconfig.json
// --noEmit` (npm run typecheck) checks these, including that every `@ts-expect-error` line is an
// error. Calls that must not compile sit inside `typeOnly`, which never runs its body.
import { describe, expectTypeOf, it } from "vitest";
import type { DType } from "../../src/base/dtype.js";
import {
  type OpOptions,
  type ParamsOf,
  type ProgramBuilder,
  program,
  type TensorProgram,
  type TensorRef,
} from "../../src/frontend/index.js";
import type { Program } from "../../src/ir/index.js";
import type { BuiltinKernelId } from "../../src/kernels/library/index.js";

/** Holds code that must typecheck (or fail to, under `@ts-expect-error`) but must not run. */
function typeOnly(_body: () => void): void {}

describe("builder types", () => {
  const p = program("types");
  const x = p.input("x", [1, 3, 8, 8]);
  const w = p.input("w", [4, 3, 3, 3]);

  it("program() returns a TensorProgram, itself a ProgramBuilder", () => {
    expectTypeOf(program).returns.toEqualTypeOf<TensorProgram>();
    expectTypeOf(p).toExtend<ProgramBuilder>();
    expectTypeOf(program).parameter(0).toEqualTypeOf<string | undefined>();
  });

  it("inputs and kernel methods return TensorRef; build() returns the IR Program", () => {
    expectTypeOf(x).toEqualTypeOf<TensorRef>();
    expectTypeOf(p.relu(x)).toEqualTypeOf<TensorRef>();
    expectTypeOf(p.matmul).returns.toEqualTypeOf<TensorRef>();
    expectTypeOf(p.conv2d).returns.toEqualTypeOf<TensorRef>();
    expectTypeOf(p.concat).returns.toEqualTypeOf<TensorRef>();
    expectTypeOf(p.build).returns.toEqualTypeOf<Program>();
    expectTypeOf(p.output).returns.toBeVoid();
    expectTypeOf<TensorRef["dtype"]>().toEqualTypeOf<DType>();
  });

  it("call() applies any kernel by id (declared ones too) and returns outputs by name", () => {
    expectTypeOf(p.call).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(p.call).returns.toEqualTypeOf<Record<string, TensorRef>>();
  });

  it("conv2d params accept the documented fields and reject unknown keys and wrong types", () => {
    expectTypeOf(p.conv2d).parameter(2).toEqualTypeOf<ParamsOf<"conv2d"> | undefined>();
    typeOnly(() => {
      p.conv2d(x, w, { stride: [2, 2] });
      p.conv2d(x, w, { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 });
      p.conv2d(x, w);
      // @ts-expect-error `strides` is not a conv2d param
      p.conv2d(x, w, { strides: [2, 2] });
      // @ts-expect-error stride is a pair of numbers, not a string
      p.conv2d(x, w, { stride: "2" });
      // @ts-expect-error stride is a pair, not a triple
      p.conv2d(x, w, { stride: [1, 2, 3] });
      // @ts-expect-error groups is a number
      p.conv2d(x, w, { groups: true });
    });
  });

  it("apply() types its params by the kernel id", () => {
    expectTypeOf(p.apply<"softmax">)
      .parameter(2)
      .toEqualTypeOf<ParamsOf<"softmax"> | undefined>();
    expectTypeOf(p.apply("softmax", { x }, { dim: 1 })).toEqualTypeOf<TensorRef>();
    typeOnly(() => {
      p.apply("sum", { x }, { dims: [1], keepdims: true });
      // @ts-expect-error softmax takes `dim`, not `dims`
      p.apply("softmax", { x }, { dims: [1] });
      // @ts-expect-error softmax's dim is a number
      p.apply("softmax", { x }, { dim: "last" });
      // @ts-expect-error not a built-in kernel (declared kernels go through call())
      p.apply("squared_distance", { x }, {});
    });
  });

  it("ParamsOf<K> is the kernel's params with every field optional", () => {
    expectTypeOf<ParamsOf<"sum">>().toEqualTypeOf<{
      readonly dims?: readonly number[];
      readonly keepdims?: boolean;
    }>();
    expectTypeOf<ParamsOf<"sum">>().toHaveProperty("dims");
    expectTypeOf<ParamsOf<"sum">>().toHaveProperty("keepdims");
    expectTypeOf<ParamsOf<"softmax">>().toEqualTypeOf<{ readonly dim?: number }>();
    typeOnly(() => {
      p.apply("matmul", { a: x, b: x }, {});
      // @ts-expect-error matmul takes no params: an unknown key is a compile error
      p.apply("matmul", { a: x, b: x }, { transposeB: true });
    });
    expectTypeOf(p.sum).parameter(1).toEqualTypeOf<ParamsOf<"sum"> | undefined>();
  });

  it("BuiltinKernelId names exactly the built-in kernels", () => {
    expectTypeOf<"matmul">().toExtend<BuiltinKernelId>();
    expectTypeOf<"gelu">().toExtend<BuiltinKernelId>();
    expectTypeOf<"conv2d">().toExtend<BuiltinKernelId>();
    expectTypeOf<"nope">().not.toExtend<BuiltinKernelId>();
    expectTypeOf<string>().not.toExtend<BuiltinKernelId>();
  });

  it("inputs, shapes, dtypes and options are checked at compile time", () => {
    expectTypeOf(p.input).parameter(2).toEqualTypeOf<DType | undefined>();
    expectTypeOf<OpOptions>().toEqualTypeOf<{ readonly id?: string }>();
    typeOnly(() => {
      p.input("h", [2], "float64");
      // @ts-expect-error float16 is not a Tessera dtype
      p.input("h", [2], "float16");
      // @ts-expect-error a shape is an array of numbers
      p.input("h", "2x2");
      // @ts-expect-error kernel methods take TensorRefs, not ids
      p.relu("x");
      // @ts-expect-error an operation id is a string
      p.relu(x, { id: 3 });
      // @ts-expect-error matmul takes two operands
      p.matmul(x);
    });
  });
});
