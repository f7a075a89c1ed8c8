import { describe, expect, it } from "vitest";
import { declaredFloat } from "../../../src/kernels/declaration/declared-float.js";

describe("declaredFloat: a float param of a declared kernel's decoded params", () => {
  it("is the param's value when it is a number", () => {
    expect(declaredFloat({ alpha: 0.25, beta: -0 }, "alpha", 0.2)).toBe(0.25);
    expect(Object.is(declaredFloat({ beta: -0 }, "beta", 0.5), -0)).toBe(true);
  });

  it.each([
    ["the params lack it", { other: 1 }],
    ["it is not a number", { alpha: "0.25" }],
    ["there are no params", undefined],
    ["the params are null", null],
  ])("is the fallback when %s", (_, params) => {
    expect(declaredFloat(params, "alpha", 0.2)).toBe(0.2);
  });
});
