import { describe, expect, it } from "vitest";
import { program } from "../../src/frontend/index.js";

describe("ProgramBuilder.toJson", () => {
  it("returns a copy: editing it changes neither the builder nor later documents or builds", () => {
    const p = program("copy-check");
    p.output("y", p.relu(p.input("x", [2, 3]), { id: "act" }));
    const first = p.toJson() as {
      operations: { params: Record<string, unknown>; index: { end: number[] } }[];
    };
    first.operations[0]!.params.poison = 1;
    first.operations[0]!.index.end[0] = 99;
    expect(p.toJson()).not.toEqual(first);
    expect(p.build().operations[0]!.index.end.toArray()).toEqual([2, 3]);
  });
});
