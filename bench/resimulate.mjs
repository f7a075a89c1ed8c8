// Re-simulates the plans of a fidelity run against the times measured then, so that a change
// of the cost model can be judged without measuring again (measuring takes minutes and is as
// noisy as the changes it judges). Reads the run's details (`out/fidelity-details.json`: the
// calibrated cluster, every plan and its measured seconds), simulates every plan with the
// current build (`dist/`), and prints the fidelity figures beside those recorded in the run.
//
//   node bench/resimulate.mjs [details.json] [--terms-from cluster.json] [--without a,b] [--worst N]
//
// `--terms-from` adds the executor terms the run's cluster lacks from another calibrated
// cluster of the same machine (`tessera calibrate`), e.g. a term measured after the run, and
// the shape points its kernel tables lack from that cluster's tables of the same kernels and
// load (`busy`), as factors over the FLOP-keyed curve (each point's seconds over its table's
// at its FLOPs, times the run's table's there: two calibrations differ in overall speed); `--without` drops the named executor terms (`assemble,taskDispatchPerByte`),
// and `shapes` the kernel tables' shape points (pricing contractions by FLOPs alone), to see
// what they change on the same measurements.

import { readFileSync } from "node:fs";
import { fidelitySummary, tableSeconds } from "../dist/cost/index.js";
import { builtinRegistry, createSimulator, parseCluster, parsePlan } from "../dist/index.js";

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const termsFrom = option("--terms-from");
const without = (option("--without") ?? "").split(",").filter((t) => t !== "");
const worst = Number(option("--worst") ?? 8);
const path = args[0] ?? "out/fidelity-details.json";
const details = JSON.parse(readFileSync(path, "utf8"));

const clusterJson = details.cluster;
if (termsFrom !== undefined) {
  const other = JSON.parse(readFileSync(termsFrom, "utf8"));
  if (other.executor !== undefined)
    clusterJson.executor = { ...other.executor, ...(clusterJson.executor ?? {}) };
  const tables = (c) =>
    Object.values(c.deviceTypes).flatMap((d) =>
      (d.kernels ?? []).map((t) => ({ t, peak: d.peakFlops[t.dtype] })),
    );
  const key = (t) => `${t.kernels.join(",")}|${t.dtype}|${t.busy ?? "all"}`;
  const shaped = new Map(
    tables(other)
      .filter(({ t }) => t.shapes !== undefined)
      .map((e) => [key(e.t), e]),
  );
  for (const { t, peak } of tables(clusterJson)) {
    const from = shaped.get(key(t));
    if (t.shapes !== undefined || from === undefined) continue;
    t.shapes = from.t.shapes.map(([m, k, n, s]) => {
      const flops = 2 * m * k * n;
      return [m, k, n, (s * tableSeconds(t, flops, peak)) / tableSeconds(from.t, flops, from.peak)];
    });
  }
}
for (const term of without) {
  if (term === "shapes")
    for (const t of Object.values(clusterJson.deviceTypes)) for (const k of t.kernels ?? []) delete k.shapes;
  else delete clusterJson.executor?.[term];
}
const cluster = parseCluster(clusterJson);
const registry = builtinRegistry();

const points = details.results.flatMap((r) =>
  r.points
    .filter((p) => p.plan !== undefined)
    .map((p) => ({
      program: r.program,
      name: p.name,
      measured: p.measured,
      recorded: p.predicted,
      predicted: createSimulator(parsePlan(p.plan, registry), cluster).cost().makespan,
    })),
);
if (points.length === 0)
  throw new Error(`${path} holds no plans (runs before 2026-12-05 23:00 did not keep them)`);

const pct = (x) => `${(100 * x).toFixed(1)}%`;
const line = (label, pts) => {
  const now = fidelitySummary(pts.map((p) => ({ predicted: p.predicted, measured: p.measured })));
  const then = fidelitySummary(pts.map((p) => ({ predicted: p.recorded, measured: p.measured })));
  const f = (s) =>
    `median ${pct(s.medianError)} p90 ${pct(s.p90Error)} tau ${s.kendallTau.toFixed(2)} regret ${s.regret.toFixed(2)}`;
  console.log(`${label.padEnd(20)} recorded: ${f(then)}\n${"".padEnd(20)} now:      ${f(now)}`);
  return now;
};
const programs = [...new Set(points.map((p) => p.program))];
line("all programs", points);
const regrets = programs.map(
  (name) =>
    line(
      name,
      points.filter((p) => p.program === name),
    ).regret,
);
console.log(`worst regret now: ${Math.max(...regrets).toFixed(2)}`);
console.log(`\nlargest errors now (program/plan: predicted, measured ms, recorded prediction):`);
const err = (p) => Math.abs(p.predicted - p.measured) / p.measured;
for (const p of [...points].sort((a, b) => err(b) - err(a)).slice(0, worst))
  console.log(
    `  ${p.program}/${p.name}: ${(1000 * p.predicted).toFixed(1)}, ${(1000 * p.measured).toFixed(1)} (${(1000 * p.recorded).toFixed(1)})`,
  );
