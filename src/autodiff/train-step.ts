import { DTYPE_BYTES } from "../base/dtype.js";
import { TesseraError } from "../base/errors.js";
import type { Program } from "../ir/program.js";
import { checkRegistry, type KernelRegistry } from "../kernels/registry.js";
import { BackwardGraph } from "./backward-graph.js";
import { backward } from "./grad.js";
import { checkOptimizer, emitUpdate, OPTIMIZER_STATES, type Optimizer } from "./optimizer.js";
import type { RecomputeChoice } from "./recompute.js";

/** What a training step trains: the loss, the weights (program inputs) and the optimizer. */
export interface TrainStepOptions {
  /** The tensor whose elements' sum is minimized. */
  readonly loss: string;
  /** The weights to update: float program inputs. */
  readonly params: readonly string[];
  readonly optimizer: Optimizer;
  /** The new program's name; default `<name>-train`. */
  readonly name?: string;
  /** Forward activations to recompute in the backward instead of keeping (see `GradOptions.recompute`). */
  readonly recompute?: RecomputeChoice;
}

/**
 * What a training step holds beyond its forward pass, in bytes, counted from the program alone
 * (per device, the simulator's peak is the figure that counts): the weights updated, their
 * optimizer states, their gradients, and the forward activations the backward reads (each
 * kept from its producer to its last backward use unless recomputed).
 */
export interface TrainingMemory {
  readonly weights: number;
  readonly optimizerStates: number;
  readonly gradients: number;
  readonly keptActivations: number;
}

/** A training-step program and the names of what it reads and writes per weight. */
export interface TrainStep {
  readonly program: Program;
  readonly memory: TrainingMemory;
  /** Per weight: the new weight's output, and per optimizer state its input and its new value's output. */
  readonly weights: Readonly<
    Record<
      string,
      {
        readonly updated: string;
        readonly states: Readonly<Record<string, { input: string; updated: string }>>;
      }
    >
  >;
}

/**
 * One optimizer step as an ordinary program: the forward pass, its backward pass (`grad`), and
 * the optimizer's elementwise update of every weight in `params`. Each weight `w` gets an output
 * `new_<w>`; each optimizer state `s` of it (`m` for momentum, `m` and `v` for Adam) is an input
 * `<s>_<w>` (shaped like w, start them at zeros) with its new value as output `new_<s>_<w>`.
 * Feeding the outputs back as inputs runs the next step. The forward outputs (the loss) stay.
 *
 * Throws as `grad` does, `invalid_argument` for a malformed optimizer or a weight that is not a
 * program input, and `duplicate_id` when a generated name is taken.
 */
export function trainStepProgram(
  program: Program,
  opts: TrainStepOptions,
  registry: KernelRegistry,
): TrainStep {
  checkRegistry(registry, "trainStep");
  const optimizer = checkOptimizer(opts.optimizer);
  for (const w of Array.isArray(opts.params) ? opts.params : []) {
    if (!program.inputs.includes(w) && program.tensors.some((t) => t.id === w)) {
      throw new TesseraError(
        "invalid_argument",
        `parameter '${w}' is not a program input; a training step updates weights the program reads as inputs`,
        { argument: "params", tensor: w },
      );
    }
  }
  const graph = new BackwardGraph(program, registry, "train");
  const grads = backward(
    graph,
    program,
    {
      loss: opts.loss,
      wrt: opts.params,
      ...(opts.recompute === undefined ? {} : { recompute: opts.recompute }),
    },
    registry,
  );
  const weights: Record<string, TrainStep["weights"][string]> = {};
  for (const w of opts.params) {
    const weight = graph.tensor(w);
    const names = OPTIMIZER_STATES[optimizer.kind];
    const current = Object.fromEntries(
      names.map((s) => [s, graph.input(`${s}_${w}`, weight.shape, weight.dtype)]),
    );
    const update = emitUpdate(graph, optimizer, weight, grads[w]!, current);
    graph.output(`new_${w}`, update.weight);
    const states: Record<string, { input: string; updated: string }> = {};
    for (const s of names) {
      graph.output(`new_${s}_${w}`, update.states[s]!);
      states[s] = { input: `${s}_${w}`, updated: `new_${s}_${w}` };
    }
    weights[w] = { updated: `new_${w}`, states };
  }
  const step = graph.finish(opts.name ?? `${program.name ?? "program"}-train`);
  return {
    program: step,
    weights,
    memory: trainingMemory(program, step, opts.params, OPTIMIZER_STATES[optimizer.kind].length),
  };
}

function trainingMemory(
  forward: Program,
  step: Program,
  params: readonly string[],
  states: number,
): TrainingMemory {
  const bytes = (id: string) => {
    const t = step.tensors.find((d) => d.id === id)!;
    return t.range.size * DTYPE_BYTES[t.dtype];
  };
  const weights = params.reduce((n, w) => n + bytes(w), 0);
  const produced = new Set(forward.operations.flatMap((o) => o.outputs.map((s) => s.tensor)));
  const kept = new Set(
    step.operations
      .slice(forward.operations.length)
      .flatMap((o) => o.inputs.map((s) => s.tensor))
      .filter((id) => produced.has(id)),
  );
  return {
    weights,
    optimizerStates: states * weights,
    gradients: weights,
    keptActivations: [...kept].reduce((n, id) => n + bytes(id), 0),
  };
}

/** `trainStepProgram(...).program`: the training step as a validated program. */
export function trainStep(program: Program, opts: TrainStepOptions, registry: KernelRegistry): Program {
  return trainStepProgram(program, opts, registry).program;
}
