// A small benchmark harness: throughput (ops/s) as the median of several timed runs, machine
// facts for the record, and the table formats used on stdout and in BENCHMARKS.md.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";

/** Results are stored here so that the engine cannot drop a benchmarked call as dead code. */
export let sink;

function timeBatch(fn, iterations) {
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) sink = fn(i);
  return performance.now() - t0;
}

/**
 * Measures how many calls of `fn(i)` run per second. A batch size is calibrated so one run
 * lasts at least `minTimeMs` (which also warms the code up), one more batch is run untimed, then
 * `runs` batches are timed. Returns the median, slowest and fastest run in ops/s.
 */
export function measure(name, fn, { runs = 9, minTimeMs = 200 } = {}) {
  if (runs < 1) throw new RangeError(`runs must be at least 1, found ${runs}`);
  let iterations = 1;
  for (;;) {
    const elapsed = timeBatch(fn, iterations);
    if (elapsed >= minTimeMs) break;
    // Grow toward the target, at most 10x per step so that a noisy short batch cannot overshoot.
    const factor = elapsed <= 0 ? 10 : Math.min(10, Math.max(1.5, (minTimeMs * 1.1) / elapsed));
    iterations = Math.ceil(iterations * factor);
  }
  timeBatch(fn, iterations);
  const samples = [];
  for (let r = 0; r < runs; r++) samples.push(iterations / (timeBatch(fn, iterations) / 1000));
  samples.sort((a, b) => a - b);
  return { name, median: median(samples), runs, min: samples[0], max: samples.at(-1), iterations };
}

/** The median of `xs` (the mean of the two middle values for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Facts about the machine and runtime that a benchmark number depends on. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** Busy and total CPU time of the whole machine so far, in µs (Linux `/proc/stat`), or undefined elsewhere. */
export function machineCpu() {
  if (!existsSync("/proc/stat")) return undefined;
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const tick = 1e6 / 100; // USER_HZ is 100 on Linux
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0) * tick;
  const idle = (fields[3] + fields[4]) * tick;
  return { busy: total - idle, total };
}

/** This process's CPU time so far (all its threads: workers and ONNX Runtime's), in µs. */
export function ownCpu() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** One line describing the machine: `Intel(R) Xeon(R) … · 2 cores · 7.8 GiB · Node v20.20.2 · linux x64`. */
export function describeMachine(m) {
  const gib = (m.memoryBytes / 2 ** 30).toFixed(1);
  return `${m.cpu} · ${m.cores} cores · ${gib} GiB · Node ${m.node} · ${m.platform}`;
}

/** An ops/s figure with three significant digits and a thousands separator: `1,230,000`. */
export function formatOps(opsPerSec) {
  const digits = Math.max(0, Math.floor(Math.log10(Math.max(opsPerSec, 1))) - 2);
  const rounded = Math.round(opsPerSec / 10 ** digits) * 10 ** digits;
  return rounded.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** The table rows (case, median ops/s, runs, spread) of a suite's results. */
export function resultRows(results) {
  return results.map((r) => [
    r.name,
    formatOps(r.median),
    String(r.runs),
    `${formatOps(r.min)} – ${formatOps(r.max)}`,
  ]);
}

/** The column headings of result tables. */
export const RESULT_HEADINGS = ["case", "median ops/s", "runs", "spread (min – max ops/s)"];

/** A markdown table; numeric columns (all but the first) are right-aligned. */
export function markdownTable(headings, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const rule = headings.map((_, i) => (i === 0 ? "---" : "---:"));
  return [line(headings), line(rule), ...rows.map(line)].join("\n");
}

/** A fixed-width plain-text table for the terminal. */
export function textTable(headings, rows) {
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [pad(headings), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(pad)].join("\n");
}
