import { describe, expect, it } from "vitest";
import { dimensionClasses, followedIndexDim } from "../../src/shard/index.js";
import { example } from "../search/example-programs.js";

describe("followedIndexDim", () => {
  it.each([
    { row: [1, 0, 0], extents: [4, 5, 6], expected: 0 },
    { row: [0, 0, 1], extents: [4, 5, 6], expected: 2 },
    { row: [0, 0, 0], extents: [4, 5, 6], expected: undefined },
    { row: [0, 16, 1], extents: [4, 1, 16], expected: 2 },
    { row: [0, 8, 1], extents: [4, 4, 8], expected: undefined },
    { row: [2, 0, 0], extents: [4, 5, 6], expected: undefined },
  ])("$row over $extents follows $expected", ({ row, extents, expected }) => {
    expect(followedIndexDim(row, extents)).toBe(expected);
  });
});

describe("dimensionClasses", () => {
  it("links the MLP's batch from x to y and its hidden axis through both linears", () => {
    const { index, tensor } = dimensionClasses(example("mlp"));
    expect(tensor.x![0]).toBe(tensor.y![0]);
    expect(index.fc1![1]).toBe(index.fc2![2]);
    expect(tensor.w1![1]).toBe(tensor.w2![0]);
    expect(tensor.w1![1]).not.toBe(tensor.x![0]);
    // softmax reads its whole row: the output columns of fc2 are not y's.
    expect(tensor.fc2![1]).not.toBe(tensor.y![1]);
  });

  it("gives the transformer's heads one class from wq to the head sum", () => {
    const { index, tensor } = dimensionClasses(example("transformer-block"));
    const heads = tensor.wq![0];
    for (const w of ["wk", "wv", "wo"]) expect(tensor[w]![0]).toBe(heads);
    expect(index.head_sum![0]).toBe(heads);
    expect(index.scores![1]).toBe(index.scores![2]); // queries and keys are both tokens
  });
});
