import type { DType } from "../base/dtype.js";
import { TesseraError, throwIfIssues } from "../base/errors.js";
import { IssueCollector } from "../base/issue.js";
import { program as startProgram } from "../frontend/tensor-program.js";
import type { Program } from "../ir/program.js";
import type { Region } from "../kernels/region.js";
import type { Fusion } from "./fusion.js";
import { findFusions } from "./fusions.js";
import { describe, ImportContext } from "./import-context.js";
import { decodeOnnxModel, type OnnxModel, type OnnxNode, type OnnxValueInfo } from "./onnx-model.js";
import { constant } from "./onnx-value.js";
import { translationFor } from "./translations.js";

/** Options of an ONNX import. */
export interface ImportOptions {
  /**
   * Sizes of symbolic input dimensions, by `dim_param` name (`batch`), or by `input[i]` for a
   * dimension the model leaves unnamed.
   */
  readonly dims?: Readonly<Record<string, number>>;
  /** The program's name (default: the graph's name). */
  readonly name?: string;
}

/** A fused group of nodes the importer recognised (a decomposed GELU, a folded batch norm, ...). */
export interface RecognisedPattern {
  readonly pattern: string;
  readonly nodes: readonly string[];
}

/** An imported model: the program, and the values of the program inputs that were initializers. */
export interface ImportedModel {
  readonly program: Program;
  /** Values of the program inputs that hold the model's constants, by input id. */
  readonly weights: Record<string, Region>;
  /** The program inputs the model takes at run time (its graph inputs), in order. */
  readonly dataInputs: readonly string[];
  /** Node groups imported as one kernel, in model order. */
  readonly recognised: readonly RecognisedPattern[];
}

/** Imports ONNX model bytes; see `importOnnxModel`. */
export function importOnnx(bytes: Uint8Array, opts: ImportOptions = {}): ImportedModel {
  return importOnnxModel(decodeOnnxModel(bytes), opts);
}

/**
 * Translates a decoded ONNX model into a validated Tessera program. Initializers and Constant
 * nodes become program inputs (values in `weights`) where a kernel reads them, and are folded
 * at import where they only feed shape arithmetic. Every node whose operator has no
 * translation is listed in one `ValidationError` (`unsupported_operator`, one issue per node);
 * symbolic dimensions without a size in `opts.dims` likewise (`unresolved_dimension`).
 */
export function importOnnxModel(model: OnnxModel, opts: ImportOptions = {}): ImportedModel {
  const { graph } = model;
  const reserved = new Set<string>([
    ...graph.inputs.map((v) => v.name),
    ...graph.initializers.map((t) => t.name),
    ...graph.nodes.flatMap((n) => [...n.inputs, ...n.outputs]),
  ]);
  const name = opts.name ?? (graph.name === "" ? undefined : graph.name);
  const ctx = new ImportContext(startProgram(name), model.opset, reserved);
  for (const t of graph.initializers) ctx.define(t.name, constant(t.name, t.elementType, t.dims, t.values));

  const initialized = new Set(graph.initializers.map((t) => t.name));
  const runtimeInputs = graph.inputs.filter((v) => !initialized.has(v.name));
  const shapes = resolveInputs(runtimeInputs, opts.dims ?? {});
  for (const v of runtimeInputs) {
    ctx.take(v.name);
    ctx.define(v.name, {
      kind: "tensor",
      ref: ctx.program.input(v.name, shapes.get(v.name)!.dims, shapes.get(v.name)!.dtype),
    });
  }

  const fusions = findFusions(model);
  const fusedAt = new Map<number, Fusion>(fusions.map((f) => [f.at, f]));
  const skipped = new Set(fusions.flatMap((f) => f.nodes.filter((i) => i !== f.at)));
  checkOperators(graph.nodes, fusedAt, skipped);

  for (const node of graph.nodes) {
    if (skipped.has(node.index)) continue;
    const fusion = fusedAt.get(node.index);
    const fused = fusion?.translate(ctx);
    if (fused !== undefined && fusion !== undefined) {
      ctx.define(fusion.output, fused);
      continue;
    }
    if (fusion !== undefined) {
      // Declined once shapes were known: the group's nodes, one by one, in model order.
      const group = fusion.nodes.map((i) => graph.nodes[i]!);
      checkOperators(group, new Map(), new Set());
      for (const n of group) ctx.define(n.outputs[0] ?? "", translationFor(n.opType, n.domain)!(n, ctx));
      continue;
    }
    const translate = translationFor(node.opType, node.domain)!;
    ctx.define(node.outputs[0] ?? "", translate(node, ctx));
  }

  for (const out of graph.outputs) {
    const v = ctx.lookup(out.name);
    if (v === undefined) {
      throw new TesseraError(
        "invalid_onnx",
        `graph output '${out.name}' is not produced by any node or input`,
        {
          output: out.name,
        },
      );
    }
    ctx.program.output(out.name, ctx.asTensor(v, outputNode(out.name)));
  }
  return {
    program: ctx.program.build(),
    weights: ctx.weights,
    dataInputs: runtimeInputs.map((v) => v.name),
    recognised: fusions.map((f) => ({
      pattern: f.pattern,
      nodes: f.nodes.map((i) => graph.nodes[i]!.name || `#${i}`),
    })),
  };
}

/** A stand-in node for messages about a graph output that is a constant. */
function outputNode(name: string): OnnxNode {
  return {
    index: -1,
    name,
    opType: "output",
    domain: "",
    inputs: [name],
    outputs: [],
    attributes: new Map(),
  };
}

/** Lists every node without a translation at once, by name and op type. */
function checkOperators(
  nodes: readonly OnnxNode[],
  fusedAt: ReadonlyMap<number, Fusion>,
  skipped: ReadonlySet<number>,
): void {
  const issues = new IssueCollector();
  for (const node of nodes) {
    if (skipped.has(node.index) || fusedAt.has(node.index)) continue;
    if (translationFor(node.opType, node.domain) !== undefined) continue;
    const op = node.domain === "" ? node.opType : `${node.domain}.${node.opType}`;
    issues.add(
      "unsupported_operator",
      `/graph/node/${node.index}`,
      `${describe(node)}: operator ${op} has no Tessera translation`,
      {
        node: node.name,
        nodeIndex: node.index,
        opType: node.opType,
        domain: node.domain,
      },
    );
  }
  throwIfIssues(issues.issues, "ONNX model");
}

/** The dims and dtype of each runtime input, with symbolic dims sized from `sizes`; all problems at once. */
function resolveInputs(
  inputs: readonly OnnxValueInfo[],
  sizes: Readonly<Record<string, number>>,
): Map<string, { dims: number[]; dtype: DType }> {
  const issues = new IssueCollector();
  const used = new Set<string>();
  const out = new Map<string, { dims: number[]; dtype: DType }>();
  inputs.forEach((v, k) => {
    const path = `/graph/input/${k}`;
    const dtype = v.elementType === "float32" || v.elementType === "float64" ? v.elementType : undefined;
    if (dtype === undefined) {
      issues.add(
        "unsupported_onnx_feature",
        `${path}/type`,
        `input '${v.name}' has ONNX element type ${v.elementCode}; Tessera imports float and double inputs`,
        { input: v.name, elementType: v.elementCode },
      );
    }
    if (v.dims === undefined) {
      issues.add("unresolved_dimension", `${path}/type`, `input '${v.name}' has no declared shape`, {
        input: v.name,
      });
      return;
    }
    const dims = v.dims.map((d, i) => {
      if (typeof d === "number") return d;
      const key = d ?? `${v.name}[${i}]`;
      const size = Object.hasOwn(sizes, key) ? sizes[key] : undefined;
      if (size === undefined) {
        issues.add(
          "unresolved_dimension",
          `${path}/type/tensorType/shape/dim/${i}`,
          d === undefined
            ? `input '${v.name}' dimension ${i} has no size; give one with --dim '${key}=<size>'`
            : `input '${v.name}' dimension ${i} is '${d}'; give its size with --dim '${d}=<size>'`,
          { input: v.name, dim: i, name: key },
        );
        return 0;
      }
      used.add(key);
      return size;
    });
    if (dtype !== undefined) out.set(v.name, { dims, dtype });
  });
  for (const [key, size] of Object.entries(sizes)) {
    if (!Number.isSafeInteger(size) || size < 0) {
      issues.add("invalid_argument", "", `dimension '${key}' = ${size} is not a non-negative integer`, {
        name: key,
        found: size,
      });
    } else if (!used.has(key)) {
      issues.add("invalid_argument", "", `no input dimension is named '${key}'`, {
        name: key,
        names: [
          ...new Set(inputs.flatMap((v) => (v.dims ?? []).filter((d): d is string => typeof d === "string"))),
        ],
      });
    }
  }
  throwIfIssues(issues.issues, "ONNX import");
  return out;
}
