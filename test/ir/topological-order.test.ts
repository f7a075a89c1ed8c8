// Dependencies between operations follow the regions they read and write; topologicalOrder is
// stable (ties keep program order) and reports the operations on a cycle.
import { describe, expect, it } from "vitest";
import { program } from "../../src/frontend/index.js";
import {
  type Operation,
  operationDependencies,
  type Selection,
  topologicalOrder,
  validateProgram,
} from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { ZRange } from "../../src/zspace/index.js";
import { editable } from "./program-doc.js";

type Access = readonly [tensor: string, range: ZRange];

const whole = (...shape: number[]) => ZRange.fromShape(shape);
const part = (start: number[], end: number[]) => ZRange.fromBounds(start, end);

/** An operation that reads and writes the given regions; nothing else matters to ordering. */
function op(id: string, reads: readonly Access[], writes: readonly Access[]): Operation {
  const bind =
    (prefix: string) =>
    ([tensor, range]: Access, i: number): Selection => ({ name: `${prefix}${i}`, tensor, range });
  const index = ZRange.scalar();
  return {
    id,
    kernel: "copy",
    params: {},
    inputs: reads.map(bind("in")),
    outputs: writes.map(bind("out")),
    index,
    signature: { index, indexNames: [], inputs: {}, outputs: {}, reductions: [] },
  };
}

describe("topologicalOrder", () => {
  it("keeps program order for independent operations", () => {
    const ops = [
      op("c", [], [["t0", whole(2)]]),
      op("b", [], [["t1", whole(2)]]),
      op("a", [], [["t2", whole(2)]]),
    ];
    expect(topologicalOrder(ops)).toEqual({ order: [0, 1, 2], cyclic: [] });
  });

  it("places a producer listed after its consumer first, and otherwise keeps program order", () => {
    const ops = [
      op("consumer", [["t", whole(3)]], [["u", whole(3)]]),
      op("independent", [], [["v", whole(3)]]),
      op("producer", [], [["t", whole(3)]]),
    ];
    expect(topologicalOrder(ops)).toEqual({ order: [1, 2, 0], cyclic: [] });
  });

  it("breaks ties by program position at every step (a diamond listed backwards)", () => {
    const ops = [
      op(
        "join",
        [
          ["b", whole(2)],
          ["c", whole(2)],
        ],
        [["d", whole(2)]],
      ),
      op("left", [["a", whole(2)]], [["c", whole(2)]]),
      op("right", [["a", whole(2)]], [["b", whole(2)]]),
      op("source", [], [["a", whole(2)]]),
    ];
    expect(topologicalOrder(ops)).toEqual({ order: [3, 1, 2, 0], cyclic: [] });
  });

  it("reports two operations that read each other's outputs as a cycle", () => {
    const ops = [
      op("a", [["tb", whole(2)]], [["ta", whole(2)]]),
      op("b", [["ta", whole(2)]], [["tb", whole(2)]]),
    ];
    expect(topologicalOrder(ops)).toEqual({ order: [], cyclic: [0, 1] });
  });

  it("reports an operation that reads its own output as a cycle of one, and orders the rest", () => {
    const ops = [op("before", [], [["x", whole(2)]]), op("self", [["t", whole(2)]], [["t", whole(2)]])];
    expect(topologicalOrder(ops)).toEqual({ order: [0], cyclic: [1] });
  });

  it("leaves operations downstream of a cycle unordered but does not report them on it", () => {
    const ops = [
      op("a", [["tb", whole(2)]], [["ta", whole(2)]]),
      op("b", [["ta", whole(2)]], [["tb", whole(2)]]),
      op("downstream", [["tb", whole(2)]], [["tc", whole(2)]]),
      op("independent", [], [["td", whole(2)]]),
    ];
    expect(topologicalOrder(ops)).toEqual({ order: [3], cyclic: [0, 1] });
  });
});

describe("operationDependencies", () => {
  it("links a reader only to the writers of the region it reads (concat parts are separate)", () => {
    const ops = [
      op("part0", [], [["t", part([0], [2])]]),
      op("part1", [], [["t", part([2], [4])]]),
      op("reads-part1", [["t", part([2], [4])]], [["u", whole(2)]]),
      op("reads-all", [["t", whole(4)]], [["v", whole(4)]]),
    ];
    expect(operationDependencies(ops)).toEqual([[], [], [1], [0, 1]]);
  });

  it("links rank-0 (scalar) tensors like any other", () => {
    const ops = [
      op("total", [], [["s", ZRange.scalar()]]),
      op("use", [["s", ZRange.scalar()]], [["u", whole(1)]]),
    ];
    expect(operationDependencies(ops)).toEqual([[], [0]]);
  });

  it("does not link through an empty selection", () => {
    const ops = [op("w", [], [["t", whole(3)]]), op("r", [["t", part([1], [1])]], [["u", whole(0)]])];
    expect(operationDependencies(ops)).toEqual([[], []]);
  });
});

describe("validateProgram on a cycle", () => {
  it("names exactly the operations on the cycle, not those downstream of it", () => {
    const p = program("cycle");
    const a = p.relu(p.input("x", [2, 3]), { id: "a" });
    p.output("c", p.tanh(p.neg(a, { id: "b" }), { id: "c" }));
    const doc = editable(p);
    doc.operations[0]!.inputs[0]!.tensor = "b";
    const { issues } = validateProgram(doc, builtinRegistry());
    expect(issues.map((i) => [i.code, i.path, i.context])).toEqual([
      ["cycle", "/operations", { operations: ["a", "b"] }],
    ]);
    expect(issues[0]?.summary).toBe("operations 'a', 'b' depend on each other in a cycle");
  });
});
