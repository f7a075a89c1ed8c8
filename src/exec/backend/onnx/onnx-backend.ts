import type { InferenceSession, Tensor } from "onnxruntime-node";
import type { DType, TypedData } from "../../../base/dtype.js";
import { TesseraError } from "../../../base/errors.js";
import { nullRecord } from "../../../base/json.js";
import type { AnyKernelDef, KernelContext } from "../../../kernels/kernel.js";
import type { Region } from "../../../kernels/region.js";
import { StatsRecorder } from "../backend-stats.js";
import type { KernelBackend } from "../kernel-backend.js";
import { encodeModel } from "./encode-model.js";
import { type Feed, isUnsupported, type LoweredShard } from "./lowering.js";
import { loweringWindow } from "./lowering-window.js";
import { loweringFor } from "./lowerings.js";
import { SessionCache } from "./session-cache.js";

/** Options of the ONNX backend. */
export interface OnnxBackendOptions {
  /** Threads each ONNX Runtime session may use; default 1 (an executor runs one backend per worker thread). */
  readonly intraOpNumThreads?: number;
  /** Sessions kept before the least recently used is released; default 256. */
  readonly maxSessions?: number;
}

type Ort = typeof import("onnxruntime-node");

/**
 * A backend that runs shards through ONNX Runtime's CPU provider (the binary ships inside the
 * `onnxruntime-node` package, loaded here and only here). Each shard is lowered to a small
 * ONNX graph (see `LOWERINGS`), whose session is cached by the graph's description — kernel,
 * dtype, input and output shapes and whatever offsets the graph bakes in. Kernels without a
 * lowering (declared kernels), and graphs ONNX Runtime cannot build or run (conv2d in float64),
 * run the reference implementation instead; `stats()` records each such fallback and its reason.
 * Throws `backend_unavailable` when ONNX Runtime cannot be loaded on this machine.
 */
export async function createOnnxBackend(options: OnnxBackendOptions = {}): Promise<KernelBackend> {
  const ort = await loadOrt();
  const stats = new StatsRecorder();
  const cache = new SessionCache(options.maxSessions ?? 256, stats);
  const sessionOptions: InferenceSession.SessionOptions = {
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    // Errors reach us as exceptions; the runtime's own console warnings would only add noise.
    logSeverityLevel: 3,
  };

  const reference = (def: AnyKernelDef, ctx: KernelContext<unknown>, reason?: string) => {
    const out = def.impl(ctx);
    stats.reference(def.id, reason);
    return out;
  };

  return {
    name: "onnx",
    async run(def, ctx) {
      const lowering = loweringFor(def);
      if (lowering === undefined) return reference(def, ctx, `no ONNX lowering for kernel '${def.id}'`);
      const geometry = loweringWindow(ctx);
      if (geometry === undefined) return reference(def, ctx);
      const lowered = lowering(geometry, ctx);
      if (isUnsupported(lowered)) return reference(def, ctx, lowered.unsupported);
      const graph = JSON.stringify(lowered.graph, keepNegativeZero);
      const capability = `${def.id}|${lowered.output.dtype}|${lowered.graph.nodes.map((n) => n.op).join(",")}`;
      const outcome = await cache.use(
        `${def.id}|${graph}`,
        capability,
        () => ort.InferenceSession.create(encodeModel(lowered.graph), sessionOptions),
        async (session) => outputRegion(lowered, await session.run(feedsOf(ort, lowered.feeds))),
      );
      if (!outcome.ok) return reference(def, ctx, outcome.reason);
      stats.native(def.id);
      return { [lowered.output.name]: outcome.value };
    },
    stats: () => stats.snapshot(),
    dispose: () => cache.dispose(),
  };
}

/** JSON writes −0 as 0; a graph's key keeps it, or a constant −0 would share +0's session. */
function keepNegativeZero(_key: string, value: unknown): unknown {
  return Object.is(value, -0) ? "-0" : value;
}

async function loadOrt(): Promise<Ort> {
  try {
    // Under a loader such as tsx the CommonJS module may arrive without a synthesized default.
    const m = await import("onnxruntime-node");
    return (m as { default?: typeof m.default }).default ?? (m as unknown as typeof m.default);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new TesseraError(
      "backend_unavailable",
      `the onnx kernel backend needs onnxruntime-node, which failed to load here: ${message}`,
      { backend: "onnx", platform: process.platform, arch: process.arch },
    );
  }
}

function feedsOf(ort: Ort, feeds: readonly Feed[]): InferenceSession.FeedsType {
  const out = nullRecord<Tensor>();
  for (const f of feeds) {
    const d = f.data;
    const dims = f.dims.slice();
    out[f.name] =
      d instanceof Float32Array
        ? new ort.Tensor("float32", d, dims)
        : d instanceof Float64Array
          ? new ort.Tensor("float64", d, dims)
          : new ort.Tensor("int32", d, dims);
  }
  return out;
}

function outputRegion(lowered: LoweredShard, result: InferenceSession.ReturnType): Region {
  const { range, dtype } = lowered.output;
  const value = result.out;
  const data = value === undefined ? undefined : typedData(dtype, value.data);
  if (data === undefined || data.length !== range.size)
    throw new Error(`internal: the graph's output is not ${range.size} ${dtype} values`);
  return { dtype, range, data };
}

function typedData(dtype: DType, data: unknown): TypedData | undefined {
  if (dtype === "float32" && data instanceof Float32Array) return data;
  if (dtype === "float64" && data instanceof Float64Array) return data;
  if (dtype === "int32" && data instanceof Int32Array) return data;
  return undefined;
}
