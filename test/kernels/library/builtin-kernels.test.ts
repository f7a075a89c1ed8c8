import { describe, expect, it } from "vitest";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS, builtinIdOf } from "../../../src/kernels/library/index.js";

describe("builtinIdOf", () => {
  it("names every built-in kernel object by its id", () => {
    for (const [id, def] of Object.entries(BUILTIN_KERNELS))
      expect(builtinIdOf(def as AnyKernelDef)).toBe(id);
  });

  it("does not name a kernel that only reuses a built-in's id", () => {
    const lookalike: AnyKernelDef = { ...(BUILTIN_KERNELS.relu as AnyKernelDef) };
    expect(builtinIdOf(lookalike)).toBeUndefined();
  });

  it("does not name a kernel whose id is an Object.prototype name", () => {
    const odd: AnyKernelDef = { ...(BUILTIN_KERNELS.relu as AnyKernelDef), id: "toString" };
    expect(builtinIdOf(odd)).toBeUndefined();
  });
});
