import type { Program } from "../ir/program.js";

/**
 * Kernel steps per second, roughly, of each backend on one core: the reference walks every
 * index point in TypeScript (about 2·10^7 points/s for a matmul's multiply-adds), ONNX Runtime
 * runs vectorized loops (about 10^9). Order-of-magnitude figures for a warning, not a benchmark.
 */
const STEPS_PER_SECOND = { reference: 2e7, onnx: 1e9 } as const;

/** The seconds above which `eval` warns before it starts. */
export const EVAL_WARN_SECONDS = 60;

/**
 * The work of evaluating a program unsharded: the index points of every operation (a matmul's
 * index is m·n·k, one multiply-add each), and the rough seconds each backend takes for them.
 */
export function evalEstimate(program: Program): {
  steps: number;
  seconds: { reference: number; onnx: number };
} {
  let steps = 0;
  for (const op of program.operations) steps += op.index.size;
  return {
    steps,
    seconds: { reference: steps / STEPS_PER_SECOND.reference, onnx: steps / STEPS_PER_SECOND.onnx },
  };
}

/** The estimate in words: "40 s", "12 min", "3.1 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
