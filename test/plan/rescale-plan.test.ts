import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { buildTransformerBlock } from "../../examples/transformer-block.js";
import { isTesseraError } from "../../src/base/errors.js";
import { program } from "../../src/frontend/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { makePlan, planToJson, rescalePlan, validatePlan } from "../../src/plan/index.js";

const devices = ["a", "b", "c", "d", "e", "f", "g", "h"];
const big = buildTransformerBlock(64, 128, 8, 512);
const small = buildTransformerBlock(16, 32, 2, 64);

describe("rescalePlan", () => {
  const plan = makePlan(big, {
    devices,
    splits: {
      q: [{ dim: 0, parts: 8 }],
      mlp_up: [
        { dim: 0, parts: 2 },
        { dim: 1, parts: 4 },
      ],
      ln1: [{ dim: 0, cuts: [10, 40] }],
    },
    placement: { q: ["h", "g", "f", "e", "d", "c", "b", "a"] },
    inputs: [{ tensor: "wq", device: "c" }],
  });

  it("is the identity on the program the plan is for, when it cuts evenly", () => {
    const even = makePlan(big, {
      devices,
      splits: { q: [{ dim: 0, parts: 8 }], mlp_down: [{ dim: 2, parts: 4 }] },
      placement: { q: ["h", "g", "f", "e", "d", "c", "b", "a"] },
    });
    const same = rescalePlan(even, big);
    expect(same.operations).toEqual(even.operations);
    expect(same.inputs).toEqual(even.inputs);
  });

  it("caps parts by the smaller extents and keeps each kept shard on its device", () => {
    const scaled = rescalePlan(plan, small);
    expect(validatePlan(planToJson(scaled), builtinRegistry()).issues).toEqual([]);
    const q = scaled.operations.find((o) => o.op === "q")!;
    // q's index is (heads, seq, width, in): 8 heads cut 8 ways become 2 heads cut 2 ways.
    expect(q.sharding.splits).toEqual([{ dim: 0, parts: 2 }]);
    expect(q.devices).toEqual(["h", "g"]);
    const up = scaled.operations.find((o) => o.op === "mlp_up")!;
    expect(up.sharding.splits).toEqual([
      { dim: 0, parts: 2 },
      { dim: 1, parts: 4 },
    ]);
    // Uneven cuts in the old range become an even split with as many parts.
    expect(scaled.operations.find((o) => o.op === "ln1")!.sharding.splits).toEqual([{ dim: 0, parts: 3 }]);
    expect(scaled.inputs.find((i) => i.tensor === "wq")).toEqual({ tensor: "wq", device: "c" });
  });

  it("refuses a program whose operation of the same id has another index rank", () => {
    const flat = program("f");
    flat.output("y", flat.matmul(flat.input("x", [4, 8]), flat.input("w", [8, 4]), { id: "f" }));
    const batched = program("f");
    batched.output(
      "y",
      batched.matmul(batched.input("x", [2, 4, 8]), batched.input("w", [8, 4]), { id: "f" }),
    );
    const plan = makePlan(flat.build(), { devices: ["a"] });
    try {
      rescalePlan(plan, batched.build());
      expect.unreachable();
    } catch (error: unknown) {
      expect(isTesseraError(error) && error.code).toBe("plan_mismatch");
      expect(isTesseraError(error) && error.context).toEqual({ op: "f", expected: 4, found: 3 });
    }
  });

  it("refuses a program with other operations", () => {
    try {
      rescalePlan(plan, buildMlp());
      expect.unreachable();
    } catch (error: unknown) {
      expect(isTesseraError(error) && error.code).toBe("plan_mismatch");
    }
  });
});
