// validateProgram collects issues instead of stopping at the first one, and reports each fault
// once: program-wide checks run only over parts that are valid on their own.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/base/index.js";
import { program } from "../../src/frontend/index.js";
import { parseProgram, validateProgram } from "../../src/ir/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { editable, type ProgramDoc } from "./program-doc.js";

/** x [4, 3] · w [3, 2] → fc1, relu → y. */
function tinyMlp(): ProgramDoc {
  const p = program("tiny-mlp");
  p.output("y", p.relu(p.matmul(p.input("x", [4, 3]), p.input("w", [3, 2]), { id: "fc1" }), { id: "act" }));
  return editable(p);
}

const where = (doc: unknown) =>
  validateProgram(doc, builtinRegistry()).issues.map((i) => ({ code: i.code, path: i.path }));

describe("validateProgram", () => {
  it("reports three independent faults in one pass, in document order", () => {
    const doc = tinyMlp();
    doc.tensors[1]!.range.end = [5, 2];
    doc.operations[0]!.inputs[1]!.range.end = [5, 2];
    doc.operations[1]!.kernel = "rectify";
    doc.outputs.push("logits");
    expect(where(doc)).toEqual([
      { code: "shape_mismatch", path: "/operations/0/inputs/1" },
      { code: "unknown_kernel", path: "/operations/1/kernel" },
      { code: "unknown_tensor", path: "/outputs/1" },
    ]);
  });

  it("reports two faults of one operation together when neither hides the other", () => {
    const doc = tinyMlp();
    doc.operations[1]!.inputs[0]!.tensor = "fc_1";
    doc.operations[1]!.outputs[0]!.range = { start: [0, 0], end: [5, 2] };
    expect(where(doc)).toEqual([
      { code: "unknown_tensor", path: "/operations/1/inputs/0/tensor" },
      { code: "selection_out_of_range", path: "/operations/1/outputs/0/range" },
    ]);
  });

  it("reports every schema violation at once, and nothing semantic until the schema holds", () => {
    const doc = tinyMlp();
    // (index and signature are optional since they are derived; outputs is not)
    Reflect.deleteProperty(doc.operations[0]!, "outputs");
    doc.tensors[1]!.dtype = "float16";
    doc.operations[1]!.kernel = "rectify";
    expect(where(doc).map((i) => i.code)).toEqual(["schema_violation", "schema_violation"]);
    expect(where(doc).map((i) => i.path)).toEqual(
      expect.arrayContaining(["/tensors/1/dtype", "/operations/0"]),
    );
  });

  it("does not report consequences: an operation that fails leaves its output unreported", () => {
    const doc = tinyMlp();
    doc.operations[1]!.kernel = "rectify";
    // 'y' is now written by nothing valid, but unwritten_tensor would only repeat the first fault.
    expect(where(doc)).toEqual([{ code: "unknown_kernel", path: "/operations/1/kernel" }]);
  });

  it("hands every issue to parseProgram's ValidationError, summarised by their number", () => {
    const doc = tinyMlp();
    doc.tensors[1]!.range.end = [5, 2];
    doc.operations[0]!.inputs[1]!.range.end = [5, 2];
    doc.operations[1]!.kernel = "rectify";
    doc.outputs.push("logits");
    let thrown: unknown;
    try {
      parseProgram(doc, builtinRegistry());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const error = thrown as ValidationError;
    expect(error.summary).toBe("invalid program: 3 issues");
    expect(error.codes).toEqual(["shape_mismatch", "unknown_kernel", "unknown_tensor"]);
  });
});

describe("program input and output lists", () => {
  it("flag a tensor listed twice as duplicate_id at its position", () => {
    const doc = JSON.parse(readFileSync("examples/mlp.json", "utf8")) as {
      inputs: string[];
      outputs: string[];
    };
    doc.inputs.push("x");
    doc.outputs.push("y");
    const { issues } = validateProgram(doc, builtinRegistry());
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["duplicate_id", `/inputs/${doc.inputs.length - 1}`],
      ["duplicate_id", `/outputs/${doc.outputs.length - 1}`],
    ]);
  });
});
