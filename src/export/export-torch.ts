import { join } from "node:path";
import { writeTextFile } from "../base/write-text-file.js";
import type { KernelRegistry } from "../kernels/registry.js";
import type { Plan } from "../plan/plan.js";
import { deriveTaskGraph, type Transfer } from "../plan/task-graph.js";
import { pointToPoint } from "./collective-plan.js";
import { recognisedCollectives } from "./recognised-collectives.js";
import { torchScript } from "./torch-script.js";

/** Options of `exportTorch`. */
export interface TorchExportOptions {
  /** A name for the script's docstring; default the program's name. */
  readonly name?: string;
  /** Use collectives where the simulator recognises one (default true); false moves all point to point. */
  readonly collectives?: boolean;
}

/** Bytes each plan device sends and receives under the plan's derived transfers. */
export interface DeviceTraffic {
  readonly device: string;
  readonly rank: number;
  readonly sent: number;
  readonly received: number;
  /** The part of it moved point to point (the rest moves inside collectives). */
  readonly pointToPoint: { readonly sent: number; readonly received: number };
}

/** An exported plan: the script's text, and the derived traffic it must move. */
export interface TorchExport {
  readonly script: string;
  readonly ranks: number;
  readonly traffic: readonly DeviceTraffic[];
  /** Total bytes of the derived transfers. */
  readonly bytes: number;
  /** How many collectives the script runs in place of point-to-point transfers. */
  readonly collectives: number;
}

/**
 * Exports a plan as a self-contained PyTorch program for `torch.distributed`: one rank per
 * plan device, each computing exactly its shards with torch ops and moving exactly the plan's
 * derived transfers — point to point, or inside the collectives the simulator recognises
 * (see `recognisedCollectives`) unless `options.collectives` is false. Throws `not_exportable` naming the first operation whose kernel has no
 * torch lowering (kernels declared as data), and the plan errors of `deriveTaskGraph`.
 */
export function exportTorch(
  plan: Plan,
  registry: KernelRegistry,
  options: TorchExportOptions = {},
): TorchExport {
  const graph = deriveTaskGraph(plan);
  const collectives = options.collectives === false ? pointToPoint() : recognisedCollectives(plan, graph);
  const script = torchScript({
    plan,
    graph,
    registry,
    collectives,
    name: options.name ?? plan.program.name ?? "plan",
  });
  const bytes = (keep: (t: Transfer) => boolean) =>
    graph.transfers.filter(keep).reduce((s, t) => s + t.bytes, 0);
  const p2p = (t: Transfer) => !collectives.byTransfer.has(t.id);
  const traffic = plan.devices.map((device, rank) => ({
    device,
    rank,
    sent: bytes((t) => t.from === device),
    received: bytes((t) => t.to === device),
    pointToPoint: {
      sent: bytes((t) => t.from === device && p2p(t)),
      received: bytes((t) => t.to === device && p2p(t)),
    },
  }));
  return {
    script,
    ranks: plan.devices.length,
    traffic,
    bytes: traffic.reduce((s, t) => s + t.sent, 0),
    collectives: collectives.groups.length,
  };
}

/**
 * Writes an export into folder `dir`: `plan.py` (the script) and `traffic.json` (the derived
 * bytes per rank, to compare with the script's `--stats`). Returns the script's path;
 * `write_failed` when the folder cannot be written.
 */
export function writeTorchExport(dir: string, exported: TorchExport): string {
  const path = writeTextFile(join(dir, "plan.py"), exported.script, { what: "the exported script" });
  writeTextFile(
    join(dir, "traffic.json"),
    `${JSON.stringify({ ranks: exported.ranks, bytes: exported.bytes, devices: exported.traffic }, null, 2)}\n`,
    { what: "the traffic file" },
  );
  return path;
}
