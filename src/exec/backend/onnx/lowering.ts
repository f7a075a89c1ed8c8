import type { DType, TypedData } from "../../../base/dtype.js";
import type { KernelContext } from "../../../kernels/kernel.js";
import { isWhole, type LoweringWindow, type ShardInput } from "./lowering-window.js";
import { GraphBuilder, type GraphSpec } from "./onnx-graph.js";

/** Data for one graph input: a region's values, with the dims the graph declares for them. */
export interface Feed {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: TypedData;
}

/** A shard lowered to ONNX: the graph, its inputs' data, and where its one output `out` lands. */
export interface LoweredShard {
  readonly graph: GraphSpec;
  readonly feeds: readonly Feed[];
  readonly output: LoweringWindow["output"];
}

/** Why a shard has no ONNX form; the backend runs the reference implementation and records it. */
export interface Unsupported {
  readonly unsupported: string;
}

/**
 * Maps one shard of one kernel (its geometry, and the context it came from) to an ONNX graph
 * whose inputs are exactly the shard's input data and whose output is exactly its output
 * region's data — or says why it cannot.
 */
export type Lowering = (geometry: LoweringWindow, ctx: KernelContext<unknown>) => LoweredShard | Unsupported;

/** True when a lowering declined. */
export function isUnsupported(result: LoweredShard | Unsupported): result is Unsupported {
  return "unsupported" in result;
}

/**
 * A graph under construction for one shard: feeds input regions in, and declares the output
 * over the shard's output box. `g` builds the ops in between.
 */
export class ShardGraph {
  /** The graph builder. */
  readonly g = new GraphBuilder();
  /** The element type of the shard's output (every builtin kernel computes in one dtype). */
  readonly dtype: DType;
  private readonly feeds: Feed[] = [];

  constructor(private readonly geometry: LoweringWindow) {
    this.dtype = geometry.output.dtype;
  }

  /** Input `name` as a graph value over exactly its needed box (zeros where the region falls short). */
  input(name: string): string {
    const x = this.fitted(name);
    const raw = this.rawInput(name);
    if (isWhole(x)) return raw;
    return this.g.op("Pad", [raw, this.g.int64s([...x.padsBefore, ...x.padsAfter])]);
  }

  /** Input `name` over its available box only, for ops that pad by themselves (Conv). */
  rawInput(name: string): string {
    const x = this.fitted(name);
    const dims = x.region.range.shape.toArray();
    this.feeds.push({ name, dtype: x.region.dtype, dims, data: x.region.data });
    return this.g.input(name, x.region.dtype, dims);
  }

  /**
   * Input `name` as one flat vector of symbolic length `n`, for elementwise graphs whose input
   * and output boxes hold their elements in the same order: one session then serves every
   * shape. Only for an input with no padding to add (see `isWhole`).
   */
  flatInput(name: string): string {
    const x = this.fitted(name);
    if (!isWhole(x)) throw new Error(`internal: flat input '${name}' needs padding`);
    this.feeds.push({ name, dtype: x.region.dtype, dims: [x.region.data.length], data: x.region.data });
    return this.g.input(name, x.region.dtype, ["n"]);
  }

  /** The fitted input `name` (its needed box, available data and padding). */
  fitted(name: string): ShardInput {
    const x = this.geometry.inputs[name];
    if (x === undefined) throw new Error(`internal: lowering reads input '${name}', absent from the shard`);
    return x;
  }

  /** The shard's output box dims. */
  get outDims(): number[] {
    return this.geometry.output.range.shape.toArray();
  }

  /** Finishes the graph with `value` as the output, shaped as the output box. */
  done(value: string): LoweredShard {
    this.g.output(value, this.dtype, this.outDims);
    return { graph: this.g.spec(), feeds: this.feeds, output: this.geometry.output };
  }

  /** Finishes an elementwise graph built on `flatInput`s: a flat output of the same length `n`. */
  doneFlat(value: string): LoweredShard {
    this.g.output(value, this.dtype, ["n"]);
    return { graph: this.g.spec(), feeds: this.feeds, output: this.geometry.output };
  }
}
