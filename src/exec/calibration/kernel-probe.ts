import type { DType } from "../../base/dtype.js";
import { program } from "../../frontend/index.js";
import type { Program } from "../../ir/program.js";
import { builtinRegistry } from "../../kernels/library/index.js";
import type { KernelBackend } from "../backend/kernel-backend.js";
import { prepareOperation } from "../local/execute-task.js";
import { randomInputs } from "../reference/random-inputs.js";
import { fastest } from "./fastest.js";

/** One kernel timed on a backend: what ran, how long (fastest of repeats), and which engine computed it. */
export interface KernelTiming {
  readonly kernel: string;
  /** The operation's index extents. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Median seconds of one whole-operation run. */
  readonly seconds: number;
  readonly repeats: number;
  /** `native` when the backend's own engine ran it (ONNX Runtime), `reference` when it fell back. */
  readonly engine: "native" | "reference";
}

/** A matmul throughput measurement: FLOP/s at the size that first took long enough. */
export interface MatmulProbe extends KernelTiming {
  readonly flops: number;
  readonly flopsPerSecond: number;
}

/** A memory bandwidth measurement: bytes read and written per second by a large elementwise add. */
export interface BandwidthProbe extends KernelTiming {
  readonly bytes: number;
  readonly bytesPerSecond: number;
}

/**
 * Times the only operation of `prog` run whole on `backend`: one untimed run first (session
 * creation, first compilation), then the fastest of `repeats`.
 */
export async function timeOperation(
  prog: Program,
  backend: KernelBackend,
  repeats: number,
): Promise<KernelTiming> {
  const op = prog.operations[0]!;
  const { def, params } = prepareOperation(op, builtinRegistry().get(op.kernel)!);
  const values = randomInputs(prog, 1);
  const inputs = Object.fromEntries(op.inputs.map((s) => [s.name, values[s.tensor]!]));
  const ctx = { params, signature: op.signature, index: op.index, inputs };
  const before = backend.stats().kernels[op.kernel]?.native ?? 0;
  await backend.run(def, ctx);
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    await backend.run(def, ctx);
    times.push((performance.now() - started) / 1000);
  }
  const native = (backend.stats().kernels[op.kernel]?.native ?? 0) > before;
  return {
    kernel: op.kernel,
    shape: op.index.shape.coords.slice(),
    dtype: Object.values(op.signature.outputs)[0]!.dtype,
    seconds: fastest(times),
    repeats,
    engine: native ? "native" : "reference",
  };
}

/**
 * The matmul rate of `dtype` on `backend`: square `n × n · n × n` products from `n = 64`,
 * doubling `n` until one run takes `targetSeconds` or `n` reaches `maxSize`, then the fastest of
 * `repeats` at that size. FLOP/s count `2n³` over the run time less the launch overhead, as
 * `taskSeconds` adds that overhead back.
 */
export async function probeMatmul(
  backend: KernelBackend,
  dtype: DType,
  options: {
    readonly targetSeconds: number;
    readonly maxSize: number;
    readonly repeats: number;
    readonly launch: number;
  },
): Promise<MatmulProbe> {
  let n = 64;
  let timing = await timeOperation(matmulProgram(n, dtype), backend, 1);
  while (timing.seconds < options.targetSeconds && n < options.maxSize) {
    n *= 2;
    timing = await timeOperation(matmulProgram(n, dtype), backend, 1);
  }
  timing = await timeOperation(matmulProgram(n, dtype), backend, options.repeats);
  const flops = 2 * n ** 3;
  return { ...timing, flops, flopsPerSecond: flops / computeSeconds(timing.seconds, options.launch) };
}

/**
 * Memory bandwidth on `backend`: a float32 `add` of two `elements`-long vectors, whose bytes
 * (two inputs and the output, as `DEFAULT_COST_MODEL` counts them) over the run time less the
 * launch overhead; fastest of `repeats`.
 */
export async function probeMemoryBandwidth(
  backend: KernelBackend,
  options: { readonly elements: number; readonly repeats: number; readonly launch: number },
): Promise<BandwidthProbe> {
  const p = program("calibrate-add");
  const shape = [options.elements];
  p.output("c", p.add(p.input("a", shape), p.input("b", shape), { id: "add" }));
  const timing = await timeOperation(p.build(), backend, options.repeats);
  const bytes = 3 * 4 * options.elements;
  return { ...timing, bytes, bytesPerSecond: bytes / computeSeconds(timing.seconds, options.launch) };
}

/** The launch overhead on `backend`: the fastest time of a one-element float32 `relu`. */
export async function probeLaunchOverhead(backend: KernelBackend, repeats: number): Promise<KernelTiming> {
  const p = program("calibrate-launch");
  p.output("y", p.relu(p.input("x", [1]), { id: "relu" }));
  return timeOperation(p.build(), backend, repeats);
}

function matmulProgram(n: number, dtype: DType): Program {
  const p = program(`calibrate-matmul-${dtype}`);
  p.output("c", p.matmul(p.input("a", [n, n], dtype), p.input("b", [n, n], dtype), { id: "matmul" }));
  return p.build();
}

/** Run time less the launch overhead, never below a tenth of it: a noisy small run must not give an absurd rate. */
function computeSeconds(seconds: number, launch: number): number {
  return Math.max(seconds - launch, seconds / 10);
}
