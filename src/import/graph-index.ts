import type { OnnxModel, OnnxNode } from "./onnx-model.js";

/**
 * The graph as the pattern matchers see it: who produces and who consumes each value, and
 * which values are constants written in the model (initializers, Constant nodes).
 */
export class GraphIndex {
  private readonly producers = new Map<string, OnnxNode>();
  private readonly consumers = new Map<string, OnnxNode[]>();
  private readonly scalars = new Map<string, number>();
  private readonly constants = new Set<string>();
  private readonly outputs: ReadonlySet<string>;

  constructor(readonly model: OnnxModel) {
    const { graph } = model;
    this.outputs = new Set(graph.outputs.map((o) => o.name));
    for (const t of graph.initializers) {
      this.constants.add(t.name);
      if (t.values.length === 1) this.scalars.set(t.name, t.values[0]!);
    }
    for (const node of graph.nodes) {
      for (const o of node.outputs) this.producers.set(o, node);
      for (const i of new Set(node.inputs)) {
        const list = this.consumers.get(i) ?? [];
        list.push(node);
        this.consumers.set(i, list);
      }
      const value = node.attributes.get("value");
      if (node.opType === "Constant" && value?.kind === "tensor") {
        this.constants.add(node.outputs[0]!);
        if (value.value.values.length === 1) this.scalars.set(node.outputs[0]!, value.value.values[0]!);
      }
    }
  }

  /** The node producing `value`, when it is `opType` (in the default domain). */
  producer(value: string | undefined, opType: string): OnnxNode | undefined {
    const n = value === undefined ? undefined : this.producers.get(value);
    return n !== undefined && n.opType === opType && (n.domain === "" || n.domain === "ai.onnx")
      ? n
      : undefined;
  }

  /** The one node reading `value`, when exactly one does and it is not a graph output. */
  soleConsumer(value: string | undefined, opType: string): OnnxNode | undefined {
    if (value === undefined || this.outputs.has(value)) return undefined;
    const list = this.consumers.get(value) ?? [];
    const n = list[0];
    return list.length === 1 && n!.opType === opType && n!.domain === "" ? n : undefined;
  }

  /** The nodes reading `value` (each once), or none when it is a graph output. */
  internalConsumers(value: string): readonly OnnxNode[] {
    return this.outputs.has(value) ? [] : (this.consumers.get(value) ?? []);
  }

  /** The value of a one-element constant written in the model. */
  scalar(value: string | undefined): number | undefined {
    return value === undefined ? undefined : this.scalars.get(value);
  }

  /** True when `value` is written in the model as a constant. */
  isConstant(value: string | undefined): boolean {
    return value !== undefined && this.constants.has(value);
  }

  /** The input of binary `node` other than `value`, when `value` is one of its two inputs. */
  other(node: OnnxNode, value: string): string | undefined {
    const [a, b] = node.inputs;
    if (a === value) return b;
    if (b === value) return a;
    return undefined;
  }
}

/** True when `v` is `target` to within float32 rounding of the constant as written. */
export function near(v: number | undefined, target: number): boolean {
  return v !== undefined && Math.abs(v - target) <= 1e-6 * Math.abs(target);
}
