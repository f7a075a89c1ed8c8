import { accessSync, constants, existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { writeFailed, writeTextFile } from "../base/write-text-file.js";
import { parseCluster } from "../cluster/parse-cluster.js";
import { type Calibration, calibrate, checkCalibrateOptions } from "../exec/calibration/calibrate.js";
import { calibratedCluster } from "../exec/calibration/calibrated-cluster.js";
import { formatBytes, formatFlops, formatSeconds } from "../report/units.js";
import { textTable } from "./text-table.js";

/** Where `tessera calibrate` writes its cluster file unless told otherwise. */
export const DEFAULT_CALIBRATION_FILE = "out/local-cluster.json";

/** Options of `tessera calibrate`. */
export interface CalibrateCommandOptions {
  readonly out: string;
  readonly workers?: number;
  readonly quick: boolean;
  readonly backend: string;
}

/**
 * Measures this machine (see `calibrate`), prints the figures and how each was measured, and
 * writes them as a cluster file that `--cluster FILE` reads. The output path is checked before
 * measuring, so a typo does not cost the measurement (`write_failed`). Progress goes to stderr:
 * one line redrawn on a terminal, a line per step otherwise.
 */
export async function calibrateToFile(
  opts: CalibrateCommandOptions,
  out: (s: string) => void,
  progress: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  const options = {
    quick: opts.quick,
    backend: opts.backend,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
  };
  checkCalibrateOptions(options);
  checkWritable(opts.out);
  const tty = progress.isTTY === true;
  const c = await calibrate({
    ...options,
    onProgress: (step, done, total) => {
      if (done === total) {
        if (tty) progress.write("\r\x1b[K");
        return;
      }
      const line = `calibrating [${done + 1}/${total}] ${step}…`;
      progress.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
    },
  });
  const doc = calibratedCluster(c, new Date().toISOString());
  // A document this command cannot read back would be a bug: check before writing it.
  parseCluster(doc);
  writeTextFile(opts.out, `${JSON.stringify(doc, null, 2)}\n`, { what: "the cluster file" });
  out(`${report(c)}\n\nwrote ${opts.out} (cluster '${doc.name}'; use it with --cluster ${opts.out})\n`);
}

/** The measured figures as a table for people. */
function report(c: Calibration): string {
  const engine = (t: { readonly engine: string }) =>
    t.engine === "native" ? c.backend : "reference fallback";
  const t = c.transfer;
  const rows = [
    ...c.matmul.map((m) => [
      `${m.dtype} matmul`,
      `${formatFlops(m.flopsPerSecond)}/s`,
      `${m.shape.join("×")} on ${engine(m)}, fastest of ${m.repeats}`,
    ]),
    [
      "memory bandwidth",
      `${formatBytes(c.memory.bytesPerSecond)}/s`,
      `add of ${c.memory.shape[0]} float32 on ${engine(c.memory)}, fastest of ${c.memory.repeats}`,
    ],
    [
      "launch overhead",
      formatSeconds(c.launch.seconds),
      `1-element relu on ${engine(c.launch)}, fastest of ${c.launch.repeats}`,
    ],
    [
      "transfer bandwidth",
      `${formatBytes(t.bandwidth)}/s`,
      `${formatBytes(t.largeBytes)} regions moved between 2 workers in a run, fastest of ${t.repeats}`,
    ],
    [
      "transfer latency",
      formatSeconds(t.latency),
      `${formatBytes(t.smallBytes)} regions moved between 2 workers in a run, or into a worker idle for a ${t.idleElements}-element step (${formatSeconds(t.idleLatency)}) if larger, fastest of ${t.repeats}`,
    ],
    ...c.kernels.map((k) => {
      const first = k.samples[0]!;
      const last = k.samples[k.samples.length - 1]!;
      const rate = (x: { size: number; seconds: number }) =>
        k.by === "flops" ? `${formatFlops(x.size / x.seconds)}/s` : `${formatBytes(x.size / x.seconds)}/s`;
      return [
        `${k.name} kernels, ${k.busy === 1 ? "one alone" : `${k.busy} at once`}`,
        `${formatSeconds(first.seconds)} – ${formatSeconds(last.seconds)}`,
        `${k.samples.length} shapes (${first.shape.join("×")}: ${rate(first)} … ${last.shape.join("×")}: ${rate(last)}) on ${engine(k)}, fastest of ${k.repeats}`,
      ];
    }),
    ...executorRows(c),
    [
      "memory per device",
      formatBytes(Math.floor(c.machine.memoryBytes / c.workers)),
      `machine memory / ${c.workers} workers`,
    ],
  ];
  const head = `calibrated ${c.workers} worker threads on ${c.machine.cpu} (${c.machine.cores} cores, Node ${c.machine.node}), ${c.backend} backend${c.quick ? ", quick" : ""}`;
  return `${head}\n\n${textTable(["figure", "value", "measured as"], rows)}`;
}

/** The executor's overheads as table rows. */
function executorRows(c: Calibration): string[][] {
  const e = c.executor.overheads;
  const n = `fastest of ${c.executor.repeats} warm runs`;
  return [
    [
      "run start",
      `${formatSeconds(e.runStart)} + ${formatSeconds(e.runStartPerTask)}/task`,
      `prepare phase, ${n}`,
    ],
    ["task dispatch", formatSeconds(e.taskDispatch), `per task, a ${c.executor.chain}-task chain, ${n}`],
    ...(e.taskDispatchBusy === undefined
      ? []
      : [
          [
            "task dispatch, all busy",
            formatSeconds(e.taskDispatchBusy),
            `per task, a ${c.executor.chain}-task chain on every worker at once, ${n}`,
          ],
        ]),
    [
      "input load",
      `${formatSeconds(e.load.latency)} + ${formatBytes(e.load.bandwidth)}/s`,
      `load phase, ${n}`,
    ],
    [
      "output fetch",
      `${formatSeconds(e.fetch.latency)} + ${formatBytes(e.fetch.bandwidth)}/s`,
      `fetch phase, ${n}`,
    ],
    ["run end", formatSeconds(e.runEnd), `end phase, ${n}`],
    ...(e.taskDispatchPerByte === undefined
      ? []
      : [
          [
            "task dispatch per output MB",
            formatSeconds(e.taskDispatchPerByte * 2 ** 20),
            `extra lag of ${c.executor.largeTaskElements}-element relus, ${n}`,
          ],
        ]),
    ...(c.assemble === undefined
      ? []
      : [
          [
            "input copies",
            `${formatSeconds(c.assemble.cost.latency)}/piece + ${formatSeconds(c.assemble.cost.perRun)}/run + ${formatBytes(c.assemble.cost.bandwidth)}/s`,
            `relus reading two pieces against one, fastest of ${c.assemble.repeats} runs`,
          ],
        ]),
  ];
}

/** Refuses an output path that cannot be written, creating its folder when missing. */
function checkWritable(path: string): void {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      accessSync(path, constants.W_OK);
    } else {
      accessSync(dir, constants.W_OK);
    }
  } catch (e: unknown) {
    throw writeFailed(path, e, "the cluster file");
  }
}
