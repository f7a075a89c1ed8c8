import { IssueCollector } from "../base/issue.js";
import type { Operation } from "../ir/program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { Plan } from "../plan/plan.js";
import {
  type CombineTask,
  type Piece,
  type ShardTask,
  sourceKey,
  type TaskGraph,
} from "../plan/task-graph.js";
import type { ZRange } from "../zspace/z-range.js";
import type { CollectivePlan } from "./collective-plan.js";
import { PyCode, pyBox, pyFloat, pyString, pyTuple, torchDType } from "./py-code.js";
import { refuse } from "./torch-lowering.js";
import { torchLoweringFor } from "./torch-lowerings.js";
import { TORCH_RUNTIME } from "./torch-runtime.js";

/** What the script generator needs: the plan, its task graph, kernels, and the collectives to use. */
export interface ScriptInput {
  readonly plan: Plan;
  readonly graph: TaskGraph;
  readonly registry: KernelRegistry;
  readonly collectives: CollectivePlan;
  /** A name for the docstring (the program's, or the plan file's). */
  readonly name: string;
}

const INDENT = "    ";

/** The identity a reduction over nothing leaves, as a Python literal of `dtype`. */
function identity(monoid: string, dtype: string): string {
  if (dtype === "int32")
    return monoid === "max" ? "-2147483648" : monoid === "min" ? "2147483647" : monoid === "prod" ? "1" : "0";
  return pyFloat(
    monoid === "max"
      ? Number.NEGATIVE_INFINITY
      : monoid === "min"
        ? Number.POSITIVE_INFINITY
        : monoid === "prod"
          ? 1
          : 0,
  );
}

/** A short readable box: `[0:4, 2:6]`. */
function boxText(r: ZRange): string {
  return `[${r.start.coords.map((s, d) => `${s}:${r.end.coords[d]}`).join(", ")}]`;
}

/** A `(key, start, end)` tuple of a piece, as `Rank.assemble` takes it. */
function pieceTuple(p: Piece): string {
  return `(${pyString(sourceKey(p.source))}, ${pyBox(p.region)})`;
}

/** Generates the body of one device's function. */
class DeviceProgram {
  readonly code: string[] = [];
  private readonly received = new Set<number>();
  private vars = 0;

  constructor(
    private readonly input: ScriptInput,
    private readonly device: string,
    private readonly rank: (device: string) => number,
    private readonly ops: ReadonlyMap<string, Operation>,
  ) {}

  private emit(line: string): void {
    this.code.push(line);
  }

  /** Receives every transfer `pieces` need that has not arrived yet (a device receives a region once). */
  private receive(pieces: readonly Piece[]): void {
    const { graph, collectives } = this.input;
    for (const p of pieces) {
      if (p.transfer === null || this.received.has(p.transfer)) continue;
      this.received.add(p.transfer);
      if (collectives.byTransfer.has(p.transfer)) continue;
      const t = graph.transfers[p.transfer]!;
      const dtype = this.input.plan.program.tensors.find((x) => x.id === t.tensor)!.dtype;
      this.emit(
        `rt.recv(${t.id}, ${pyString(sourceKey(t.source))}, ${pyBox(t.region)}, ${pyString(dtype)}, ${this.rank(t.from)})  # ${t.bytes} bytes from ${t.from}`,
      );
    }
  }

  /** Posts every point-to-point transfer of `key` leaving this device. */
  private send(key: string): void {
    for (const t of this.input.graph.transfers) {
      if (
        t.from !== this.device ||
        sourceKey(t.source) !== key ||
        this.input.collectives.byTransfer.has(t.id)
      )
        continue;
      this.emit(
        `rt.send(${t.id}, ${pyString(key)}, ${pyBox(t.region)}, ${this.rank(t.to)})  # ${t.bytes} bytes to ${t.to}`,
      );
    }
  }

  /** Loads the program-input regions this device starts with, and sends those it is home to. */
  loadInputs(): void {
    const { plan, graph } = this.input;
    const loaded = new Set<string>();
    for (const placement of plan.inputs) {
      if (placement.device !== this.device) continue;
      const t = plan.program.tensors.find((x) => x.id === placement.tensor)!;
      this.emit(`# program input ${placement.tensor} starts here, whole`);
      this.emit(`rt.load(${pyString(t.id)}, ${pyBox(t.range)})`);
      this.send(sourceKey({ kind: "input", tensor: t.id }));
    }
    for (const task of graph.tasks) {
      if (task.device !== this.device) continue;
      for (const p of graph.reads[task.id] ?? []) {
        if (p.source.kind !== "input" || p.fromDevice !== null) continue;
        const key = `${p.source.tensor}|${p.region}`;
        if (loaded.has(key)) continue;
        loaded.add(key);
        this.emit(
          `rt.load(${pyString(p.source.tensor)}, ${pyBox(p.region)})  # pre-distributed: read in place`,
        );
      }
    }
  }

  /** One shard: receive, assemble its operands over their needed boxes, compute with torch, send. */
  shard(task: ShardTask): void {
    const op = this.ops.get(task.op)!;
    const sig = op.signature;
    const def = this.input.registry.get(op.kernel);
    const where = { op: op.id, kernel: op.kernel };
    const lowering = def === undefined ? undefined : torchLoweringFor(def);
    if (def === undefined || lowering === undefined)
      throw refuse(where, "it is declared as data, and only built-in kernels have torch lowerings");
    const out = task.outputs[0];
    if (out === undefined || task.outputs.length !== 1) throw refuse(where, "it has more than one output");
    const issues = new IssueCollector();
    const params = def.decodeParams(op.params, issues, `/operations/${op.id}/params`);
    const count = this.input.plan.operations.find((o) => o.op === op.id)!.devices.length;
    this.emit("");
    this.emit(
      `# ${task.id}: ${op.id} (${op.kernel}) shard ${task.shard + 1} of ${count}, index ${boxText(task.range)}${task.outputs[0]!.partial ? ", a partial sum-like result" : ""}`,
    );
    const pieces = this.input.graph.reads[task.id] ?? [];
    this.receive(pieces);
    const key = sourceKey({ kind: "task", task: task.id, output: out.name });
    const outDType = sig.outputs[out.name]!.dtype;
    let value: string;
    const code = new PyCode(`t${this.vars++}_`);
    if (task.range.isEmpty()) {
      const monoid = sig.reductions[0]?.monoid ?? "sum";
      value = `torch.full(${pyTuple(out.region.shape.coords)}, ${identity(monoid, outDType)}, dtype=${torchDType(outDType)}, device=rt.dev)`;
    } else {
      const names = new Map<string, string>();
      for (const [name, operand] of Object.entries(sig.inputs)) {
        const needed = operand.projection.applyRange(task.range);
        const mine = pieces.filter((p) => p.operand === name).map(pieceTuple);
        names.set(
          name,
          code.let(
            `rt.assemble(${pyString(operand.dtype)}, ${pyBox(needed)}, [${mine.join(", ")}])  # ${name}`,
          ),
        );
      }
      value = lowering({
        op: op.id,
        kernel: op.kernel,
        signature: sig,
        params,
        index: task.range,
        input: (name) => names.get(name),
        needed: (name) => sig.inputs[name]!.projection.applyRange(task.range),
        out: { range: out.region, dtype: outDType },
        code,
      });
    }
    for (const line of code.lines) this.emit(line);
    this.emit(`rt.output(${pyString(key)}, ${pyBox(out.region)}, ${pyString(outDType)}, ${value})`);
    this.send(key);
  }

  /** One combine: receive the partials, fold them in the parts' order, send the result. */
  combine(task: CombineTask): void {
    const pieces = this.input.graph.reads[task.id] ?? [];
    this.emit("");
    this.emit(
      `# ${task.id}: fold the ${task.monoid} partials of ${task.op} block ${task.block}${task.chunk === undefined ? "" : ` chunk ${task.chunk}`} from ${task.parts.join(", ")}`,
    );
    const group = this.input.collectives.byCombine.get(task.id);
    if (group === undefined) this.receive(pieces);
    for (const o of task.outputs) {
      const key = sourceKey({ kind: "task", task: task.id, output: o.name });
      const dtype = this.input.plan.program.tensors.find((x) => x.id === o.tensor)!.dtype;
      const parts = pieces.filter((p) => p.operand === o.name);
      const value =
        group === undefined
          ? `rt.fold(${pyString(task.monoid)}, [${parts.map((p) => `rt.get(${pyString(sourceKey(p.source))}, ${pyBox(p.region)})`).join(", ")}])`
          : group.combineValue(this.device);
      this.emit(`rt.output(${pyString(key)}, ${pyBox(o.region)}, ${pyString(dtype)}, ${value})`);
      this.send(key);
    }
  }

  /** Emits the collective steps this device takes part in at this point of the order. */
  collective(lines: readonly string[]): void {
    for (const line of lines) this.emit(line);
  }
}

/**
 * The exported script: a docstring saying how to run it, the runtime, the plan's constants
 * (devices, inputs, outputs and their final writers, collective groups), and one function per
 * plan device running its tasks in the plan's order.
 */
export function torchScript(input: ScriptInput): string {
  const { plan, graph, collectives } = input;
  const program = plan.program;
  const ops = new Map(program.operations.map((o) => [o.id, o]));
  const rankOf = new Map(plan.devices.map((d, i) => [d, i]));
  const rank = (device: string) => rankOf.get(device)!;
  const functions: string[] = [];
  plan.devices.forEach((device, r) => {
    const dp = new DeviceProgram(input, device, rank, ops);
    dp.loadInputs();
    for (const task of graph.tasks) {
      dp.collective(collectives.before(task.id, device));
      if (task.device !== device) continue;
      if (task.kind === "shard") dp.shard(task);
      else dp.combine(task);
      dp.collective(collectives.after(task.id, device));
    }
    dp.collective(collectives.before(null, device));
    const tasks = graph.tasks.filter((t) => t.device === device).length;
    const sent = graph.transfers.filter((t) => t.from === device).reduce((s, t) => s + t.bytes, 0);
    const got = graph.transfers.filter((t) => t.to === device).reduce((s, t) => s + t.bytes, 0);
    const body =
      dp.code.length === 0 ? [`${INDENT}pass`] : dp.code.map((l) => (l === "" ? "" : `${INDENT}${l}`));
    functions.push(
      [
        `def device_${r}(rt):`,
        `${INDENT}"""Plan device ${pyString(device).slice(1, -1)} (rank ${r}): ${tasks} tasks; derived traffic: sends ${sent} bytes, receives ${got} bytes."""`,
        ...body,
      ].join("\n"),
    );
  });
  const tensor = (id: string) => program.tensors.find((t) => t.id === id)!;
  const inputs = program.inputs.map((id) => {
    const t = tensor(id);
    return `    ${pyString(id)}: (${pyString(t.dtype)}, ${pyBox(t.range)}),`;
  });
  const outputs = program.outputs.map((id) => {
    const t = tensor(id);
    const writers = (graph.writers[id] ?? []).map(
      (w) =>
        `(${pyString(sourceKey(w.source))}, ${pyBox(w.region)}, ${w.device === null ? 0 : rank(w.device)})`,
    );
    return `    ${pyString(id)}: (${pyString(t.dtype)}, ${pyBox(t.range)}, [${writers.join(", ")}]),`;
  });
  const n = plan.devices.length;
  const header = [
    "#!/usr/bin/env python3",
    `"""${input.name.replace(/["\\]/g, "")}: a Tessera plan exported for torch.distributed.`,
    "",
    `${program.operations.length} operations, ${graph.tasks.length} tasks on ${n} ranks (one per plan device: ${plan.devices.join(", ").replace(/["\\]/g, "")}),`,
    `${graph.transfers.length} derived transfers (${graph.transfers.reduce((s, t) => s + t.bytes, 0)} bytes)${collectives.groups.length > 0 ? `, ${collectives.groups.length} of them grouped into collectives` : ""}.`,
    "",
    "Run one process per rank, e.g.",
    "",
    `    torchrun --nproc_per_node=${n} plan.py --inputs inputs.safetensors --out outputs.safetensors`,
    "",
    "or, on this machine alone, python3 plan.py --local --inputs ... (it starts the ranks itself).",
    "",
    "Inputs no --inputs file gives are seeded (--seed). The backend is nccl when CUDA is present,",
    "gloo otherwise. Each device function below runs that device's tasks in the plan's order:",
    "it assembles each shard's operands from the regions the plan derived, computes the shard",
    "with torch ops, and sends each derived transfer as soon as its source is computed.",
    '"""',
    "import argparse",
    "import json",
    "import os",
    "import struct",
    "",
    "import numpy as np",
    "import torch",
    "import torch.distributed as dist",
    "",
  ];
  const constants = [
    "",
    "# ---- the plan ---------------------------------------------------------------------------------",
    "",
    `DEVICES = [${plan.devices.map(pyString).join(", ")}]`,
    `PROGRAM_INPUTS = {\n${inputs.join("\n")}\n}`,
    "# Each output: dtype, range, and its final writers (source, region, rank).",
    `PROGRAM_OUTPUTS = {\n${outputs.join("\n")}\n}`,
    `TRANSFER_COUNT = ${graph.transfers.length}`,
    `GROUPS = [${[...new Set(collectives.groups.map((g) => pyTuple(g.members.map(rank).sort((a, b) => a - b))))].join(", ")}]`,
    "",
  ];
  const footer = [
    "",
    `PROGRAMS = [${plan.devices.map((_, r) => `device_${r}`).join(", ")}]`,
    "",
    'if __name__ == "__main__":',
    "    main()",
    "",
  ];
  return [...header, TORCH_RUNTIME, ...constants, functions.join("\n\n\n"), ...footer].join("\n");
}
