// Laws of stack detection over random layer templates: k copies of any residual layer are one
// block of k, wherever the stack sits, and a program with no repetition folds nothing.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { program } from "../../src/frontend/index.js";
import { findRepeatedBlocks, type Program } from "../../src/ir/index.js";
import { programToDot } from "../../src/report/index.js";
import { runs } from "../shard/random-programs.js";

const UNARY = ["relu", "tanh", "sigmoid", "gelu", "exp"] as const;
type Unary = (typeof UNARY)[number];

/** `k` residual layers `linear → template… → add`, with an optional embedding and head. */
function stack(template: readonly Unary[], k: number, ends: boolean): Program {
  const p = program("random-stack");
  let x = p.input("x", [4, 8]);
  if (ends) x = p.neg(x, { id: "embed" });
  for (let l = 0; l < k; l++) {
    let h = p.linear(x, p.input(`w${l}`, [8, 8]), undefined, { id: `fc${l}` });
    template.forEach((kernel, j) => {
      h = p.apply(kernel, { x: h }, {}, { id: `${kernel}${l}_${j}` });
    });
    x = p.add(x, h, { id: `res${l}` });
  }
  p.output("y", ends ? p.abs(x, { id: "head" }) : x);
  return p.build();
}

describe("findRepeatedBlocks laws", () => {
  it("finds k copies of any residual layer as one block of k", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...UNARY), { minLength: 0, maxLength: 4 }),
        fc.integer({ min: 2, max: 14 }),
        fc.boolean(),
        (template, k, ends) => {
          const prog = stack(template, k, ends);
          expect(findRepeatedBlocks(prog, prog.operations)).toEqual([
            { start: ends ? 1 : 0, length: template.length + 2, repeats: k },
          ]);
          expect(programToDot(prog, { collapseAbove: 0 })).toContain(`<b>× ${k}</b>`);
        },
      ),
      { numRuns: runs(40) },
    );
  });

  it("folds nothing in a chain of distinct layers", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }),
        (widths) => {
          const p = program("distinct");
          let x = p.input("x", [2, 3]);
          widths.forEach((w, l) => {
            x = p.linear(x, p.input(`w${l}`, [x.shape[1]!, w]), undefined, { id: `fc${l}` });
          });
          p.output("y", x);
          const prog = p.build();
          expect(findRepeatedBlocks(prog, prog.operations)).toEqual([]);
        },
      ),
      { numRuns: runs(30) },
    );
  });
});
