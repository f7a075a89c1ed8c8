/** The reference backend is the kernel's own implementation behind the backend interface. */
import { describe, expect, it } from "vitest";
import { createReferenceBackend } from "../../../src/exec/backend/index.js";
import type { AnyKernelDef } from "../../../src/kernels/kernel.js";
import { BUILTIN_KERNELS } from "../../../src/kernels/library/index.js";
import { randomRegion, rng } from "../../kernels/library/kernel-harness.js";
import { expectClose, place, randomBox, shardContext } from "./backend-harness.js";

describe("the reference backend", () => {
  it("returns exactly what def.impl returns, shard by shard, and counts every run as a reference run", async () => {
    const backend = createReferenceBackend();
    const matmul: AnyKernelDef = BUILTIN_KERNELS.matmul;
    const next = rng(1);
    const p = place(
      matmul,
      {
        params: {},
        inputs: { a: randomRegion("float32", [3, 4], next), b: randomRegion("float32", [4, 5], next) },
      },
      next,
    );
    for (let i = 0; i < 3; i++) {
      const ctx = shardContext(p, randomBox(p.signature.index, next), next);
      expectClose((await backend.run(matmul, ctx)).out!, matmul.impl(ctx).out!, () => 0);
    }
    expect(backend.name).toBe("reference");
    expect(backend.stats()).toEqual({
      sessionsCreated: 0,
      cacheHits: 0,
      sessionsEvicted: 0,
      kernels: { matmul: { native: 0, reference: 3, fallbacks: {} } },
    });
    await backend.dispose();
  });

  it("propagates the implementation's errors unchanged", async () => {
    const backend = createReferenceBackend();
    const failing: AnyKernelDef = {
      ...BUILTIN_KERNELS.copy,
      impl: () => {
        throw new Error("boom");
      },
    };
    const p = place(
      BUILTIN_KERNELS.copy,
      { params: {}, inputs: { x: randomRegion("int32", [2], rng(2)) } },
      rng(2),
    );
    await expect(backend.run(failing, shardContext(p, p.signature.index))).rejects.toThrow("boom");
  });
});
