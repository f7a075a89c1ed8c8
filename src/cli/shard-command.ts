import { TesseraError } from "../base/errors.js";
import { writeTextFile } from "../base/write-text-file.js";
import { loadProgramFile } from "../frontend/load-program.js";
import type { KernelRegistry } from "../kernels/registry.js";
import { planToJson } from "../plan/encode-plan.js";
import { makePlan } from "../plan/make-plan.js";
import type { InputPlacement } from "../plan/plan.js";
import { deriveTaskGraph, transferBytes } from "../plan/task-graph.js";
import { shardCount } from "../shard/operation-sharding.js";
import { parseDevices, parseSplitSpecs } from "./split-spec.js";
import { textTable } from "./text-table.js";

/** Options of `tessera shard`. */
export interface ShardOptions {
  readonly split: readonly string[];
  readonly devices: string;
  readonly home: readonly string[];
  readonly out: string;
}

/** Builds a plan by hand from `--split` specs, writes it, and prints its shards and derived traffic. */
export function shardProgramFile(
  file: string,
  opts: ShardOptions,
  registry: KernelRegistry,
  out: (s: string) => void,
): void {
  const program = loadProgramFile(file, registry);
  const devices = parseDevices(opts.devices);
  const inputs: InputPlacement[] = program.inputs.map((tensor) => ({ tensor }));
  const homed = new Set<string>();
  for (const h of opts.home) {
    const [tensor, device] = h.split("=");
    if (tensor !== undefined && homed.has(tensor))
      throw new TesseraError("invalid_argument", `--home ${h}: input '${tensor}' is placed twice`, {
        tensor,
      });
    if (tensor !== undefined) homed.add(tensor);
    const i = inputs.findIndex((p) => p.tensor === tensor);
    if (i < 0 || device === undefined) {
      throw new TesseraError(
        "unknown_tensor",
        `--home ${h}: '${tensor}' is not a program input (write input=device)`,
        { tensor: tensor ?? h },
      );
    }
    if (!devices.includes(device))
      throw new TesseraError(
        "unknown_device",
        `--home ${h}: '${device}' is not one of ${devices.join(", ")}`,
        { device },
      );
    inputs[i] = { tensor: tensor!, device };
  }
  const plan = makePlan(program, { devices, splits: parseSplitSpecs(opts.split, program), inputs });
  const graph = deriveTaskGraph(plan);
  writeTextFile(opts.out, `${JSON.stringify(planToJson(plan), null, 1)}\n`, {
    what: "the plan",
    createFolder: false,
  });
  const rows = plan.operations.map((o) => {
    const op = program.operations.find((p) => p.id === o.op)!;
    const cut = o.sharding.splits
      .map((s) => `${op.signature.indexNames[s.dim]}${"parts" in s ? `:${s.parts}` : `@${s.cuts.join("/")}`}`)
      .join(" ");
    const moved = graph.transfers
      .filter((t) => t.source.kind === "task" && t.source.task.startsWith(`${o.op}#`))
      .reduce((a, t) => a + t.bytes, 0);
    return [
      o.op,
      op.kernel,
      cut || "whole",
      String(shardCount(o.sharding)),
      [...new Set(o.devices)].join(","),
      String(moved),
    ];
  });
  out(
    `${textTable(["operation", "kernel", "split", "shards", "devices", "bytes sent"], rows, ["left", "left", "left", "right", "left", "right"])}\n`,
  );
  out(
    `${graph.tasks.length} tasks, ${graph.transfers.length} transfers, ${transferBytes(graph)} bytes moved between devices (derived)\n`,
  );
  out(`plan written to ${opts.out}\n`);
}
