import { gradients } from "../autodiff/grad.js";
import { checkOptimizer } from "../autodiff/optimizer.js";
import type { RecomputeChoice } from "../autodiff/recompute.js";
import { trainStepProgram } from "../autodiff/train-step.js";
import { TesseraError } from "../base/errors.js";
import { writeTextFile } from "../base/write-text-file.js";
import { loadProgramFile } from "../frontend/load-program.js";
import { programToJson } from "../ir/encode-program.js";
import type { Program } from "../ir/program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { formatBytes } from "../report/units.js";

/** Options of `tessera grad`. */
export interface GradCommandOptions {
  readonly loss: string;
  readonly wrt: readonly string[];
  /** Activations to recompute: tensor ids, or `["cheap"]`. */
  readonly recompute?: readonly string[];
  /** Where to write the program; absent: print it (JSON) to stdout. */
  readonly out?: string;
}

/** Options of `tessera train-step`. */
export interface TrainStepCommandOptions {
  readonly loss: string;
  readonly params: readonly string[];
  readonly optimizer: string;
  readonly lr: number;
  /** Activations to recompute: tensor ids, or `["cheap"]`. */
  readonly recompute?: readonly string[];
  readonly out?: string;
}

/** `--recompute cheap` is the keyword; anything else lists tensor ids. */
function recomputeOf(ids: readonly string[] | undefined): { recompute?: RecomputeChoice } {
  if (ids === undefined) return {};
  return { recompute: ids.length === 1 && ids[0] === "cheap" ? "cheap" : ids };
}

/** Writes `program` to `file`, or prints it when no file is given; says what it wrote. */
function emit(program: Program, file: string | undefined, summary: string, out: (s: string) => void): void {
  const json = `${JSON.stringify(programToJson(program), null, 1)}\n`;
  if (file === undefined) {
    out(json);
    return;
  }
  writeTextFile(file, json, { what: "the program", createFolder: false });
  out(`${summary}\nwritten to ${file}\n`);
}

/** `tessera grad`: the program followed by its backward pass, one `grad_<w>` output per `--wrt` tensor. */
export function gradProgramFile(
  file: string,
  opts: GradCommandOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  const program = loadProgramFile(file, registry);
  const { program: g, gradients: names } = gradients(
    program,
    { loss: opts.loss, wrt: opts.wrt, ...recomputeOf(opts.recompute) },
    registry,
  );
  const added = g.operations.length - program.operations.length;
  const list = Object.entries(names)
    .map(([w, n]) => `${n} = d${opts.loss}/d${w}`)
    .join(", ");
  emit(
    g,
    opts.out,
    `'${g.name}': ${program.operations.length} forward + ${added} backward operations; ${list}`,
    out,
  );
}

/** `tessera train-step`: forward, backward and the optimizer update as one program. */
export function trainStepProgramFile(
  file: string,
  opts: TrainStepCommandOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  if (!Number.isFinite(opts.lr))
    throw new TesseraError("invalid_argument", `--lr must be a positive number, found ${opts.lr}`, {
      argument: "--lr",
    });
  const optimizer = checkOptimizer({ kind: opts.optimizer, lr: opts.lr });
  const program = loadProgramFile(file, registry);
  const step = trainStepProgram(
    program,
    { loss: opts.loss, params: opts.params, optimizer, ...recomputeOf(opts.recompute) },
    registry,
  );
  const states = Object.values(step.weights).flatMap((w) => Object.values(w.states).map((s) => s.input));
  const stateNote =
    states.length === 0 ? "no optimizer states" : `optimizer states ${states.join(", ")} (start at zeros)`;
  const m = step.memory;
  const memoryNote = `weights ${formatBytes(m.weights)}, optimizer states ${formatBytes(m.optimizerStates)}, gradients ${formatBytes(m.gradients)}, activations kept for the backward ${formatBytes(m.keptActivations)}`;
  emit(
    step.program,
    opts.out,
    `'${step.program.name}': ${optimizer.kind} step over ${opts.params.join(", ")} in ${step.program.operations.length} operations; ${stateNote}\nholds ${memoryNote}`,
    out,
  );
}
