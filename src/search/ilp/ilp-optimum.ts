import type { Highs, InitOptions, ModelData } from "highs";
import { TesseraError } from "../../base/errors.js";
import type { Cluster } from "../../cluster/cluster.js";
import type { Pricing } from "../../cost/context.js";
import { createSimulator } from "../../cost/simulator.js";
import type { Program } from "../../ir/program.js";
import { makePlan } from "../../plan/make-plan.js";
import type { DimSplit } from "../../zspace/z-range.js";
import { clusterDevices } from "../cluster-devices.js";
import type { IlpOutcome } from "../result/search-result.js";
import {
  buildIlpModel,
  type IlpModel,
  type IlpModelOptions,
  ilpChoices,
  ilpEdgePairs,
  ilpObjective,
  ilpVariableCount,
} from "./ilp-model.js";

/** Options of `ilpOptimum`: the model's (devices, layouts, pins, cost model) and the solve's budget. */
export interface IlpOptions extends IlpModelOptions {
  /** Wall-clock budget of the whole call in seconds (model building included); default 60. */
  readonly seconds?: number;
  /** Models with more columns are not solved (status `too-large`); default 100,000. */
  readonly maxVariables?: number;
  /** How the optimum's plan is simulated; default `point-to-point`. */
  readonly pricing?: Pricing;
}

/** The `ilpOptimum` defaults. */
export const ILP_DEFAULTS = { seconds: 60, maxVariables: 100_000 } as const;

// The objective in microseconds: HiGHS's absolute tolerances (1e-6 and up) would swallow
// differences between plans priced in seconds.
const SCALE = 1e6;

/**
 * The exact optimum of the layout ILP (`ilpModel`): one binary `x[v,l]` per operation and
 * candidate layout with `Σ_l x[v,l] = 1`; per edge `u → v` whose ends both have a choice, a
 * continuous `y[e,l,m] ∈ [0,1]` with `Σ_m y[e,l,m] = x[u,l]` and `Σ_l y[e,l,m] = x[v,m]` (so
 * `y = x[u,l]·x[v,m]` at integral `x`); minimize `Σ node·x + Σ edge·y` (an edge with a fixed end
 * is folded into the other end's node costs); per device, `Σ memory·x ≤ capacity`.
 *
 * The optimum's plan (`ilp-optimum`: shard `k` on device `k` or the pinned devices' `k`-th,
 * inputs pre-distributed) is simulated with `pricing`. Statuses: `optimal`; `infeasible` (no choice fits memory);
 * `too-large` (more than `maxVariables` columns, nothing solved); `time-limit` (the budget ran
 * out: with the best plan found and the proven `bound` when HiGHS had one, else no plan).
 * Throws `invalid_budget` for a non-positive time budget or column cap, `solver_unavailable` when
 * HiGHS cannot be loaded, and the errors of `ilpModel`.
 */
export async function ilpOptimum(
  program: Program,
  cluster: Cluster,
  options: IlpOptions = {},
): Promise<IlpOutcome> {
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const budget = positive("seconds", options.seconds ?? ILP_DEFAULTS.seconds, false);
  const maxVariables = positive("maxVariables", options.maxVariables ?? ILP_DEFAULTS.maxVariables, true);
  const devices = clusterDevices(cluster, options.devices);
  const count = ilpVariableCount(ilpChoices(program, devices, options), ilpEdgePairs(program));
  if (count > maxVariables) return { status: "too-large", seconds: elapsed(), variables: count };

  const highs = await loadHighs();
  const model = buildIlpModel(program, cluster, options, started + budget * 1000);
  if (model === undefined) return { status: "time-limit", seconds: elapsed(), variables: count };
  const mip = mipOf(model, highs.infinity);
  const solver = highs.createModel(mip.data);
  try {
    solver.options.set({
      output_flag: false,
      time_limit: Math.max(0, budget - elapsed()),
      mip_rel_gap: 1e-9,
      mip_abs_gap: 1e-9,
    });
    const status = solver.run().modelStatus;
    const c = highs.constants.modelStatus;
    const variables = mip.data.numCols;
    if (status === c.infeasible || status === c.unboundedOrInfeasible)
      return { status: "infeasible", seconds: elapsed(), variables };
    const incumbent = solver.info.get("primal_solution_status") === highs.constants.solutionStatus.feasible;
    const limits: number[] = [
      c.objectiveBound,
      c.objectiveTarget,
      c.timeLimit,
      c.iterationLimit,
      c.solutionLimit,
      c.interrupted,
    ];
    if (status !== c.optimal && status !== c.empty && !limits.includes(status)) {
      throw new Error(
        `ilpOptimum: HiGHS ended with model status ${status} on a bounded, feasible-or-not model`,
      );
    }
    // An empty model (no columns) is solved by presolve alone.
    const limited = status !== c.optimal && status !== c.empty;
    if (!incumbent) return { status: "time-limit", seconds: elapsed(), variables };
    const values = solver.getSolution().colValue;
    const choice = model.layouts.map((layouts, v) => {
      let best = 0;
      for (let l = 1; l < layouts.length; l++)
        if (values[mip.column[v]! + l]! > values[mip.column[v]! + best]!) best = l;
      return best;
    });
    const splits: Record<string, readonly DimSplit[]> = {};
    const placement: Record<string, readonly string[]> = {};
    choice.forEach((l, v) => {
      const layout = model.layouts[v]![l]!;
      const op = model.ops[v]!;
      splits[op] = layout.splits;
      placement[op] = model.slots[v]!.slice(0, layout.shards).map((k) => devices[k]!);
    });
    const plan = makePlan(program, { devices, splits, placement });
    const simulator = createSimulator(plan, cluster, {
      ...(options.pricing === undefined ? {} : { pricing: options.pricing }),
      ...(options.costModel === undefined ? {} : { costModel: options.costModel }),
    });
    const bound = limited ? Number(solver.info.get("mip_dual_bound")) / SCALE + mip.constant : undefined;
    return {
      status: limited ? "time-limit" : "optimal",
      seconds: elapsed(),
      variables,
      plan: { name: "ilp-optimum", plan, cost: simulator.cost() },
      objective: ilpObjective(model, choice),
      ...(bound !== undefined && Number.isFinite(bound) ? { bound } : {}),
    };
  } finally {
    solver.dispose();
  }
}

function positive(name: string, value: number, integer: boolean): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new TesseraError(
      "invalid_budget",
      `${name} must be a positive ${integer ? "integer" : "number"}, found ${value}`,
      { option: name, found: Number.isFinite(value) ? value : String(value) },
    );
  }
  return value;
}

type HighsLoader = (options?: InitOptions) => Promise<Highs>;
let highsRuntime: Promise<Highs> | undefined;

/**
 * The HiGHS runtime, loaded on first use: instantiating its WebAssembly costs ~70 ms that
 * importing the search (or a worker that never solves) should not pay.
 */
function loadHighs(): Promise<Highs> {
  highsRuntime ??= (async () => {
    try {
      // The package ships CommonJS type declarations, but Node imports its ES module build,
      // whose default export is the loader.
      const loader = ((await import("highs")) as unknown as { default: HighsLoader }).default;
      return await loader();
    } catch (error: unknown) {
      highsRuntime = undefined;
      throw new TesseraError(
        "solver_unavailable",
        `the ILP solver (the 'highs' package) cannot be loaded: ${error instanceof Error ? error.message : String(error)}`,
        { package: "highs" },
      );
    }
  })();
  return highsRuntime;
}

/** The MIP in HiGHS's sparse row form, where each operation's `x` columns start, and the folded constant. */
interface Mip {
  readonly data: ModelData;
  readonly column: readonly number[];
  /** Seconds the objective leaves out: edges with both ends fixed. */
  readonly constant: number;
}

function mipOf(model: IlpModel, infinity: number): Mip {
  const cost: number[] = [];
  const integrality: (0 | 1)[] = [];
  const column: number[] = [];
  const node = model.node.map((c) => c.slice());
  let constant = 0;
  for (const costs of node) {
    column.push(cost.length);
    for (let l = 0; l < costs.length; l++) {
      cost.push(0);
      integrality.push(1);
    }
  }
  // Rows as coefficient lists; an edge's y block follows the x columns.
  const rows: { indices: number[]; values: number[]; lower: number; upper: number }[] = [];
  node.forEach((costs, v) => {
    rows.push({
      indices: costs.map((_, l) => column[v]! + l),
      values: costs.map(() => 1),
      lower: 1,
      upper: 1,
    });
  });
  for (const e of model.edges) {
    const a = node[e.from]!.length;
    const b = node[e.to]!.length;
    if (a === 1 && b === 1) constant += e.cost[0]![0]!;
    else if (b === 1) for (let l = 0; l < a; l++) node[e.from]![l]! += e.cost[l]![0]!;
    else if (a === 1) for (let m = 0; m < b; m++) node[e.to]![m]! += e.cost[0]![m]!;
    else if (e.cost.some((r) => r.some((x) => x !== 0))) {
      const y0 = cost.length;
      for (let l = 0; l < a; l++) {
        for (let m = 0; m < b; m++) {
          cost.push(e.cost[l]![m]! * SCALE);
          integrality.push(0);
        }
      }
      for (let l = 0; l < a; l++) {
        const indices = [column[e.from]! + l];
        const values = [-1];
        for (let m = 0; m < b; m++) {
          indices.push(y0 + l * b + m);
          values.push(1);
        }
        rows.push({ indices, values, lower: 0, upper: 0 });
      }
      for (let m = 0; m < b; m++) {
        const indices = [column[e.to]! + m];
        const values = [-1];
        for (let l = 0; l < a; l++) {
          indices.push(y0 + l * b + m);
          values.push(1);
        }
        rows.push({ indices, values, lower: 0, upper: 0 });
      }
    }
  }
  node.forEach((costs, v) => {
    costs.forEach((c, l) => {
      cost[column[v]! + l] = c * SCALE;
    });
  });
  // Memory rows in units of the device's capacity; a device no choice can overfill needs none.
  model.capacity.forEach((capacity, d) => {
    const most = model.memory.reduce((s, perLayout) => s + Math.max(...perLayout.map((m) => m[d]!)), 0);
    if (most <= capacity) return;
    const indices: number[] = [];
    const values: number[] = [];
    model.memory.forEach((perLayout, v) => {
      perLayout.forEach((m, l) => {
        if (m[d]! === 0) return;
        indices.push(column[v]! + l);
        values.push(m[d]! / capacity);
      });
    });
    rows.push({ indices, values, lower: -infinity, upper: 1 });
  });
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    indices.push(...r.indices);
    values.push(...r.values);
    starts.push(indices.length);
  }
  const numCols = cost.length;
  return {
    data: {
      numCols,
      numRows: rows.length,
      colCost: cost,
      colLower: new Array<number>(numCols).fill(0),
      colUpper: new Array<number>(numCols).fill(1),
      rowLower: rows.map((r) => r.lower),
      rowUpper: rows.map((r) => r.upper),
      matrix: { format: "csr", numRows: rows.length, numCols, starts, indices, values },
      integrality,
    },
    column,
    constant,
  };
}
