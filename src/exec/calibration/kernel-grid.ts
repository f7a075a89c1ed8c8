import type { DType } from "../../base/dtype.js";
import { COMBINE_KERNEL } from "../../cost/kernel-time.js";
import type { TensorRef } from "../../frontend/index.js";
import { program, type TensorProgram } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";

/**
 * One class of kernels `calibrate` measures as a table: the kernels it prices, the size it is
 * keyed by, and the shapes it is measured at. `build(p, shape, suffix)` adds and returns one operation of the
 * class at `shape` to a program (with fresh inputs named with `suffix`), so that one program can
 * hold a copy for every worker.
 */
export interface KernelClass {
  readonly name: string;
  readonly kernels: readonly string[];
  readonly by: "flops" | "bytes";
  readonly dtype: DType;
  readonly shapes: readonly (readonly number[])[];
  readonly quickShapes: readonly (readonly number[])[];
  /**
   * When set, the operation is cut this way with every piece on its worker, and the class
   * times the fold of its partial results (the combine task), not the operation's shards.
   */
  readonly split?: { readonly dim: number; readonly parts: number };
  build(p: TensorProgram, shape: readonly number[], suffix: string): TensorRef;
}

// Cheap elementwise kernels run at memory speed; transcendental ones cost several times more per element.
const CHEAP_UNARY = ["relu", "neg", "abs", "copy", "clip", "hard_sigmoid"];
const TRANSCENDENTAL = ["gelu", "gelu_erf", "exp", "log", "sqrt", "sigmoid", "tanh"];
const BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"];
const LAYOUT = ["transpose", "slice", "broadcast_to", "reshape", "upsample_nearest2d"];
const VECTORS = [[2 ** 10], [2 ** 14], [2 ** 17], [2 ** 20], [2 ** 22]];
const QUICK_VECTORS = [[2 ** 10], [2 ** 16]];

/** The kernel classes `calibrate` measures, in order, with the shapes of their grids. */
export const KERNEL_CLASSES: readonly KernelClass[] = [
  {
    name: "matmul",
    kernels: ["matmul"],
    by: "flops",
    dtype: "float32",
    // [m, k, n]: square sizes, and skinny shapes of each orientation.
    shapes: [
      [64, 64, 64],
      [128, 128, 128],
      [256, 256, 256],
      [128, 512, 512],
      [512, 512, 128],
      [512, 512, 512],
      [256, 1024, 1024],
      [1024, 1024, 256],
      [1024, 256, 1024],
      [1024, 1024, 1024],
      // Per-head products of attention at the fidelity sizes (k or n of 64), for the shape points.
      [256, 64, 256],
      [256, 256, 64],
      [128, 64, 256],
      [128, 256, 64],
    ],
    quickShapes: [
      [32, 32, 32],
      [128, 128, 128],
      [128, 32, 128],
    ],
    build(p, [m, k, n], s) {
      return p.matmul(p.input(`a${s}`, [m!, k!]), p.input(`b${s}`, [k!, n!]), { id: `op${s}` });
    },
  },
  {
    name: "linear",
    kernels: ["linear"],
    by: "flops",
    dtype: "float32",
    shapes: [
      [64, 64, 64],
      [128, 256, 256],
      [256, 512, 512],
      [512, 512, 512],
      [512, 1024, 1024],
      [1024, 1024, 1024],
      // Halves of 512- and 1024-wide layers cut on each of m, k and n (data-parallel, row and
      // column shards of the fidelity MLPs), and of a 256-wide MLP: skinny shards ran ~15% slower
      // than the square shapes of equal FLOPs, which the FLOP-keyed curve cannot tell apart.
      [512, 512, 256],
      [512, 256, 512],
      [512, 512, 1024],
      [512, 1024, 512],
      [256, 512, 1024],
      [512, 256, 1024],
      [256, 1024, 512],
      [512, 1024, 256],
      [256, 256, 512],
      [256, 512, 256],
      [128, 256, 512],
      [256, 512, 128],
    ],
    quickShapes: [
      [32, 32, 32],
      [128, 128, 128],
      [128, 128, 32],
    ],
    build(p, [m, k, n], s) {
      return p.linear(p.input(`x${s}`, [m!, k!]), p.input(`w${s}`, [k!, n!]), p.input(`b${s}`, [n!]), {
        id: `op${s}`,
      });
    },
  },
  {
    name: "conv2d",
    kernels: ["conv2d"],
    by: "flops",
    dtype: "float32",
    // [batch, in channels, size, out channels], 3×3 filters, padding 1.
    shapes: [
      [1, 3, 16, 8],
      [4, 3, 32, 16],
      [4, 16, 32, 32],
      [8, 32, 32, 32],
      [8, 64, 32, 64],
    ],
    quickShapes: [
      [1, 3, 8, 4],
      [2, 8, 16, 8],
    ],
    build(p, [b, c, n, o], s) {
      return p.conv2d(
        p.input(`x${s}`, [b!, c!, n!, n!]),
        p.input(`w${s}`, [o!, c!, 3, 3]),
        { padding: [1, 1] },
        {
          id: `op${s}`,
        },
      );
    },
  },
  {
    name: "unary",
    kernels: CHEAP_UNARY,
    by: "bytes",
    dtype: "float32",
    shapes: VECTORS,
    quickShapes: QUICK_VECTORS,
    build(p, [n], s) {
      return p.relu(p.input(`x${s}`, [n!]), { id: `op${s}` });
    },
  },
  {
    name: "transcendental",
    kernels: TRANSCENDENTAL,
    by: "bytes",
    dtype: "float32",
    shapes: VECTORS,
    quickShapes: QUICK_VECTORS,
    build(p, [n], s) {
      return p.gelu(p.input(`x${s}`, [n!]), { id: `op${s}` });
    },
  },
  {
    name: "binary",
    kernels: BINARY,
    by: "bytes",
    dtype: "float32",
    shapes: VECTORS,
    quickShapes: QUICK_VECTORS,
    build(p, [n], s) {
      return p.add(p.input(`a${s}`, [n!]), p.input(`b${s}`, [n!]), { id: `op${s}` });
    },
  },
  {
    name: "reduce",
    kernels: ["sum", "max", "min", "mean"],
    by: "bytes",
    dtype: "float32",
    shapes: [
      [32, 32],
      [128, 128],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
    ],
    quickShapes: [
      [32, 32],
      [128, 128],
    ],
    build(p, [r, c], s) {
      return p.sum(p.input(`x${s}`, [r!, c!]), { dims: [1] }, { id: `op${s}` });
    },
  },
  {
    name: "softmax",
    kernels: ["softmax"],
    by: "bytes",
    dtype: "float32",
    shapes: [
      [32, 32],
      [128, 128],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
    ],
    quickShapes: [
      [32, 32],
      [128, 128],
    ],
    build(p, [r, c], s) {
      return p.softmax(p.input(`x${s}`, [r!, c!]), { dim: -1 }, { id: `op${s}` });
    },
  },
  {
    name: "layer_norm",
    kernels: ["layer_norm"],
    by: "bytes",
    dtype: "float32",
    shapes: [
      [32, 32],
      [128, 128],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
    ],
    quickShapes: [
      [32, 32],
      [128, 128],
    ],
    build(p, [r, c], s) {
      return p.layerNorm(
        p.input(`x${s}`, [r!, c!]),
        p.input(`g${s}`, [c!]),
        p.input(`b${s}`, [c!]),
        { normalizedDims: 1 },
        { id: `op${s}` },
      );
    },
  },
  {
    // The fold of a split reduction's partial results: the local executor adds them in a
    // JavaScript loop on the worker, 2–3× slower than the roofline's memory bandwidth, so a
    // plan that cuts a matmul's inner dimension was priced too cheaply (fidelity, 2026-12-05).
    // A `sum` over the leading dimension of [2, n], cut in two there: its combine adds two
    // n-element partials.
    name: "combine",
    kernels: [COMBINE_KERNEL],
    by: "bytes",
    dtype: "float32",
    shapes: [[2 ** 10], [2 ** 14], [2 ** 17], [2 ** 19], [2 ** 20]],
    quickShapes: QUICK_VECTORS,
    split: { dim: 0, parts: 2 },
    build(p, [n], s) {
      return p.sum(p.input(`x${s}`, [2, n!]), { dims: [0] }, { id: `op${s}` });
    },
  },
  {
    name: "layout",
    kernels: LAYOUT,
    by: "bytes",
    dtype: "float32",
    shapes: [
      [32, 32],
      [128, 128],
      [512, 512],
      [1024, 1024],
      [2048, 2048],
    ],
    quickShapes: [
      [32, 32],
      [128, 128],
    ],
    build(p, [r, c], s) {
      return p.transpose(p.input(`x${s}`, [r!, c!]), { perm: [1, 0] }, { id: `op${s}` });
    },
  },
];

/**
 * A program of `copies` independent operations of `cls` at `shape` (operation `op<i>` on fresh
 * inputs), each an output: one per worker, so that every worker runs the kernel at once, as
 * they do in a run (they share the machine's memory bandwidth and caches).
 */
export function kernelProgram(cls: KernelClass, shape: readonly number[], copies: number): Program {
  const p = program(`calibrate-${cls.name}`);
  for (let i = 0; i < copies; i++) p.output(`y${i}`, cls.build(p, shape, String(i)));
  return p.build();
}
