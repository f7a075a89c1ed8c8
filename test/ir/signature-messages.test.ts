// A signature error says which operation (id and kernel), which operand, and what was expected
// and found; its path points at the operand's selection in the document, even though kernels
// name operands (`inputs/b`) where a program lists them (`inputs/1`).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/base/index.js";
import { program } from "../../src/frontend/index.js";
import { validateProgram } from "../../src/ir/index.js";
import { loadKernelDeclarationFile } from "../../src/kernels/declaration/index.js";
import { builtinRegistry } from "../../src/kernels/library/index.js";
import { extendRegistry, type KernelRegistry } from "../../src/kernels/registry.js";
import { resolvePointer } from "./json-pointer.js";
import { editable, type ProgramDoc } from "./program-doc.js";

const squaredDistance = loadKernelDeclarationFile(
  fileURLToPath(new URL("../fixtures/kernels/squared-distance.yaml", import.meta.url)),
);

/** x [4, 3] · w [3, 2] → 'fc1', relu → 'act' → y. */
function mlp(): ProgramDoc {
  const p = program("mlp");
  p.output("y", p.relu(p.matmul(p.input("x", [4, 3]), p.input("w", [3, 2]), { id: "fc1" }), { id: "act" }));
  return editable(p);
}

/** squared_distance of x [4, 3] and y [5, 3] → 'dist'. */
function distances(): ProgramDoc {
  const p = program("distances", { kernels: [squaredDistance] });
  const x = p.input("x", [4, 3]);
  p.output("d", p.call("squared_distance", { x, y: p.input("y", [5, 3]) }, {}, { id: "dist" }).out!);
  return editable(p);
}

interface Row {
  readonly rule: string;
  readonly doc: () => ProgramDoc;
  readonly registry?: KernelRegistry;
  readonly code: string;
  readonly path: string;
  /** The operand the path must land on (by its `name`), when the issue is about a bound one. */
  readonly operand?: string;
  readonly says: readonly string[];
}

const rows: readonly Row[] = [
  {
    rule: "matmul's inner dimensions disagree",
    doc: () => {
      const d = mlp();
      d.tensors[1]!.range.end = [5, 2];
      d.operations[0]!.inputs[1]!.range.end = [5, 2];
      return d;
    },
    code: "shape_mismatch",
    path: "/operations/0/inputs/1",
    operand: "b",
    says: ["operation 'fc1' (matmul)", "input b dimension 0 (k) must equal input a dimension 1 = 3, found 5"],
  },
  {
    rule: "matmul's operands have different dtypes",
    doc: () => {
      const d = mlp();
      d.tensors[1]!.dtype = "float64";
      return d;
    },
    code: "dtype_mismatch",
    path: "/operations/0/inputs/1",
    operand: "b",
    says: ["operation 'fc1' (matmul)", "input b has dtype float64 but input a has float32"],
  },
  {
    rule: "matmul lacks an input",
    doc: () => {
      const d = mlp();
      d.operations[0]!.inputs.pop();
      return d;
    },
    code: "missing_operand",
    path: "/operations/0/inputs",
    says: ["operation 'fc1' (matmul)", "needs input b"],
  },
  {
    rule: "relu is given an input it does not have",
    doc: () => {
      const d = mlp();
      d.operations[1]!.inputs[0]!.name = "input";
      return d;
    },
    code: "unknown_operand",
    path: "/operations/1/inputs/0/name",
    says: ["operation 'act' (relu)", "input 'input' is not an input of relu (inputs: x)"],
  },
  {
    rule: "relu's output selection has the wrong shape",
    doc: () => {
      const d = mlp();
      d.tensors[3]!.range.end = [4, 3];
      d.operations[1]!.outputs[0]!.range.end = [4, 3];
      return d;
    },
    code: "shape_mismatch",
    path: "/operations/1/outputs/0/range",
    operand: "out",
    says: ["operation 'act'", "output 'out' selects shape [4, 3] but the kernel produces [4, 2]"],
  },
  {
    rule: "a declared kernel's shape pattern is not met",
    doc: () => {
      const d = distances();
      d.tensors[1]!.range.end = [5, 2];
      d.operations[0]!.inputs[1]!.range.end = [5, 2];
      return d;
    },
    registry: extendRegistry(builtinRegistry(), [squaredDistance]),
    code: "pattern_mismatch",
    path: "/operations/0/inputs/1/range",
    operand: "y",
    says: ["operation 'dist' (squared_distance)", "input y", "expected $d = 3 (bound by input x), found 2"],
  },
  {
    rule: "a declared kernel's dtype variable is not met",
    doc: () => {
      const d = distances();
      d.tensors[1]!.dtype = "int32";
      return d;
    },
    registry: extendRegistry(builtinRegistry(), [squaredDistance]),
    code: "dtype_mismatch",
    path: "/operations/0/inputs/1/tensor",
    operand: "y",
    says: ["operation 'dist' (squared_distance)", "input y has dtype int32, but T may be float32 or float64"],
  },
];

describe("a signature issue", () => {
  it.each(rows)("when $rule: names the operation and the operand", (row) => {
    const doc = row.doc();
    const { issues } = validateProgram(doc, row.registry ?? builtinRegistry());
    expect(issues.map((i) => [i.code, i.path])).toEqual([[row.code, row.path]]);
    for (const phrase of row.says) expect(issues[0]?.summary).toContain(phrase);
  });

  it.each(rows.filter((r) => r.operand !== undefined))(
    "when $rule: points at the selection binding that operand",
    (row) => {
      const doc = row.doc();
      const { issues } = validateProgram(doc, row.registry ?? builtinRegistry());
      const selection = issues[0]!.path.split("/").slice(0, 5).join("/");
      expect(resolvePointer(doc, selection)).toMatchObject({ found: true, value: { name: row.operand } });
    },
  );

  it("is thrown by the builder at the call that caused it, worded the same", () => {
    const p = program("mlp");
    const x = p.input("x", [4, 3]);
    const w = p.input("w", [5, 2]);
    let thrown: unknown;
    try {
      p.matmul(x, w, { id: "fc1" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    const [issue] = (thrown as ValidationError).issues;
    expect(issue?.code).toBe("shape_mismatch");
    expect(issue?.summary).toBe(
      "operation 'fc1' (matmul): input b dimension 0 (k) must equal input a dimension 1 = 3, found 5",
    );
    expect(issue?.context).toMatchObject({ op: "fc1", input: "b", expected: 3, found: 5 });
  });
});
