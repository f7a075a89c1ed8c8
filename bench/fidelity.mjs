// Benchmark suite: how well the simulator predicts what runs. Calibrates this machine afresh
// (`calibrate`: kernel tables and executor overheads), gathers candidate plans of several
// programs (the baselines, the search's front, random valid plans), predicts each plan's time
// with the simulator on the calibrated cluster, and measures it warm on a persistent local
// executor (2 worker threads, ONNX Runtime kernels). Reports the error, the rank agreement
// (Kendall's tau) and the planner's regret, for the calibrated model and for the model without
// kernel tables and executor terms (the roofline alone), so a regression of either shows.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { mulberry32 } from "../dist/base/index.js";
import { fidelitySummary } from "../dist/cost/index.js";
import {
  baselinePlans,
  calibrate,
  calibratedCluster,
  clusterToJson,
  createLocalExecutor,
  createSimulator,
  makePlan,
  parseCluster,
  planToJson,
  program,
  randomInputs,
  searchPlans,
} from "../dist/index.js";
import { gridSharding } from "../dist/shard/index.js";
import { machineCpu, median, ownCpu } from "./harness.mjs";

/** Stable id: names this suite's section in BENCHMARKS.md. */
export const id = "fidelity";

/** Heading of the suite's section. */
export const title = "Cost model fidelity";

/** What the suite measures. */
export const description =
  "Each candidate plan (baselines, the search's front, random valid plans) of four programs (two MLPs, a transformer block, a conv net) is simulated on a cluster " +
  "calibrated by `calibrate` at the start of the run and measured warm on a persistent local executor (2 worker threads, ONNX Runtime kernels, inputs copied each run; the fastest of 30 rounds, each in a fresh order). " +
  "Rows give the median and 90th-percentile |predicted − measured| / measured, Kendall's tau-b of predicted vs measured, and the regret: the measured time of the plan " +
  "the simulator ranks fastest over the fastest measured candidate. *calibrated* is the model with kernel tables and executor terms; *roofline* is the same cluster " +
  "without them (one peak per dtype, launch overhead, no executor terms). Goals: median |error| ≤ 15%, tau ≥ 0.9, regret ≤ 1.05.";

/** Where the run's calibrated cluster and per-plan figures are written, for a closer look. */
const DETAILS = "out/fidelity-details.json";

const GOALS = { medianError: 0.15, kendallTau: 0.9, regret: 1.05 };

function mlp(name, batch, widths) {
  const p = program(name);
  let x = p.input("x", [batch, widths[0]]);
  for (let i = 1; i < widths.length; i++) {
    const w = p.input(`w${i}`, [widths[i - 1], widths[i]]);
    const b = p.input(`b${i}`, [widths[i]]);
    x = p.linear(x, w, b, { id: `fc${i}` });
    if (i < widths.length - 1) x = p.relu(x, { id: `act${i}` });
  }
  p.output("y", x);
  return p.build();
}

/** The transformer block of examples/transformer-block.ts (pre-norm attention and a GELU MLP). */
function transformerBlock(seq, dModel, heads, dMlp) {
  const dHead = dModel / heads;
  const p = program("transformer-block");
  const x = p.input("x", [seq, dModel]);
  const h = p.layerNorm(
    x,
    p.input("ln1_gamma", [dModel]),
    p.input("ln1_beta", [dModel]),
    { normalizedDims: 1 },
    {
      id: "ln1",
    },
  );
  const q = p.matmul(h, p.input("wq", [heads, dModel, dHead]), { id: "q" });
  const k = p.matmul(h, p.input("wk", [heads, dModel, dHead]), { id: "k" });
  const v = p.matmul(h, p.input("wv", [heads, dModel, dHead]), { id: "v" });
  const kT = p.transpose(k, { perm: [0, 2, 1] }, { id: "k_t" });
  const probs = p.softmax(p.matmul(q, kT, { id: "scores" }), { dim: -1 }, { id: "attn" });
  const perHead = p.matmul(p.matmul(probs, v, { id: "context" }), p.input("wo", [heads, dHead, dModel]), {
    id: "out_proj",
  });
  const attn = p.add(p.sum(perHead, { dims: [0] }, { id: "head_sum" }), p.input("bo", [dModel]), {
    id: "out_bias",
  });
  const x1 = p.add(x, attn, { id: "residual1" });
  const h2 = p.layerNorm(
    x1,
    p.input("ln2_gamma", [dModel]),
    p.input("ln2_beta", [dModel]),
    { normalizedDims: 1 },
    {
      id: "ln2",
    },
  );
  const up = p.gelu(p.linear(h2, p.input("w1", [dModel, dMlp]), p.input("b1", [dMlp]), { id: "mlp_up" }), {
    id: "mlp_act",
  });
  const down = p.linear(up, p.input("w2", [dMlp, dModel]), p.input("b2", [dModel]), { id: "mlp_down" });
  p.output("y", p.add(x1, down, { id: "residual2" }));
  return p.build();
}

/** The conv net of examples/conv-net.ts. */
function convNet(batch, size, classes) {
  const p = program("conv-net");
  const x = p.input("x", [batch, 3, size, size]);
  const c1 = p.relu(
    p.add(
      p.conv2d(x, p.input("w1", [16, 3, 3, 3]), { padding: [1, 1] }, { id: "conv1" }),
      p.input("b1", [16, 1, 1]),
      {
        id: "bias1",
      },
    ),
    { id: "relu1" },
  );
  const c2 = p.relu(
    p.conv2d(c1, p.input("w2", [32, 16, 3, 3]), { stride: [2, 2], padding: [1, 1] }, { id: "conv2" }),
    {
      id: "relu2",
    },
  );
  const c3 = p.relu(
    p.conv2d(
      c2,
      p.input("w3", [32, 8, 3, 3]),
      { padding: [2, 2], dilation: [2, 2], groups: 4 },
      { id: "conv3" },
    ),
    { id: "relu3" },
  );
  const pooled = p.mean(c3, { dims: [2, 3] }, { id: "pool" });
  const logits = p.linear(pooled, p.input("wfc", [32, classes]), p.input("bfc", [classes]), { id: "fc" });
  p.output("y", p.softmax(logits, { dim: -1 }, { id: "probs" }));
  return p.build();
}

/** The programs, at sizes where compute matters on a 2-core machine (tens of ms a run). */
function programs(quick) {
  return quick
    ? [
        mlp("mlp-2", 256, [256, 512, 256]),
        mlp("linear-relu-3", 256, [256, 256, 256, 256]),
        transformerBlock(64, 128, 4, 256),
        convNet(4, 32, 10),
      ]
    : [
        mlp("mlp-2", 512, [512, 1024, 512]),
        mlp("linear-relu-3", 512, [512, 512, 512, 512]),
        transformerBlock(256, 256, 4, 512),
        convNet(8, 64, 10),
      ];
}

/** A random valid plan on `devices`: each operation left whole or cut in two on a random index dimension, shards placed at random. */
function randomPlan(prog, devices, rand) {
  const splits = {};
  const placement = {};
  for (const op of prog.operations) {
    const dims = op.index.shape.coords.map((x, d) => (x >= 2 ? d : -1)).filter((d) => d >= 0);
    let shards = 1;
    if (dims.length > 0 && rand() < 0.6) {
      const split = [{ dim: dims[Math.floor(rand() * dims.length)], parts: 2 }];
      try {
        gridSharding(op, split);
        splits[op.id] = split;
        shards = 2;
      } catch {
        // An unshardable operation stays whole.
      }
    }
    const first = Math.floor(rand() * devices.length);
    placement[op.id] = Array.from({ length: shards }, (_, i) =>
      shards > 1 && rand() < 0.8 ? devices[(first + i) % devices.length] : devices[first],
    );
  }
  return makePlan(prog, { devices, splits, placement });
}

/** The operations' shardings and placements: plans with equal keys are the same plan. */
const planKey = (plan) =>
  JSON.stringify(plan.operations.map((o) => [o.op, o.sharding, o.devices, o.combineDevices]));

/** Candidate plans of `prog`: baselines, up to `front` members of the search's front and its chosen plan, then random plans up to `count`. */
async function candidates(prog, cluster, count, front, seconds, seed) {
  const out = [];
  const seen = new Set();
  const add = (name, plan) => {
    const key = planKey(plan);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, plan });
  };
  for (const b of baselinePlans(prog, cluster, 2)) add(b.name, b.plan);
  const search = await searchPlans(prog, cluster, { seed, budget: { seconds }, workers: 1 });
  // At most `front` members, spread evenly over the front (a wide front would crowd out the rest).
  const step = Math.max(1, search.front.length / front);
  for (let i = 0; i < search.front.length && out.length < count; i += step) {
    const f = search.front[Math.floor(i)];
    add(f.name, f.plan);
  }
  add(search.front[search.chosen].name, search.front[search.chosen].plan);
  const rand = mulberry32(seed + 1);
  for (let tries = 0; out.length < count && tries < 50 * count; tries++) {
    add(`random-${out.length}`, randomPlan(prog, cluster.devices.map((d) => d.id).slice(0, 2), rand));
  }
  return { plans: out, chosen: search.front[search.chosen].name };
}

/**
 * Measures every plan warm: `rounds` rounds, each running every plan once in a fresh seeded
 * order, and gives each plan's fastest wall over them — the undisturbed run the model describes (calibration takes the fastest of its repeats too; see `fastest` in
 * src/exec/calibration). Also records, per round, the share of the machine's CPU other processes
 * took, and per plan how far its median round is from its fastest (the noise of this machine).
 */
async function measure(executor, plans, inputs, rounds) {
  for (const p of plans) await executor.run(p.plan, inputs); // sessions, first compilations
  const all = [];
  // Per plan, over its measured runs: ONNX sessions built (a warm run should build none) and
  // kernels the reference backend ran (ONNX Runtime declined them): either makes a run slow.
  const cold = plans.map(() => ({ sessions: 0, evicted: 0, reference: 0 }));
  // A fresh order every round: in a rotation each plan always follows the same one, and what a
  // run leaves behind (buffers to free, collections due) then slows the same plan every round.
  const rand = mulberry32(rounds);
  for (let r = 0; r < rounds; r++) {
    const [m0, p0] = [machineCpu(), ownCpu()];
    const walls = new Array(plans.length);
    const order = plans.map((_, k) => k);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) {
      const before = backendCounters(executor);
      walls[k] = (await executor.run(plans[k].plan, inputs)).stats.wallMs / 1000;
      const after = backendCounters(executor);
      for (const key of Object.keys(after)) cold[k][key] += after[key] - before[key];
    }
    const [m1, p1] = [machineCpu(), ownCpu()];
    const foreign =
      m0 === undefined ? 0 : Math.max(0, (m1.busy - m0.busy - (p1 - p0)) / (m1.total - m0.total));
    all.push({ walls, foreign });
  }
  const wallsOf = (k) => all.map((r) => r.walls[k]);
  return {
    seconds: plans.map((_, k) => Math.min(...wallsOf(k))),
    spread: plans.map((_, k) => median(wallsOf(k)) / Math.min(...wallsOf(k))),
    foreign: all.map((r) => r.foreign),
    cold,
    walls: plans.map((_, k) => wallsOf(k)),
  };
}

/** The executor's threads' backend counters, summed: sessions built and evicted, reference kernel runs. */
function backendCounters(executor) {
  const sum = { sessions: 0, evicted: 0, reference: 0 };
  for (const t of executor.stats().perThread) {
    sum.sessions += t.sessionsCreated;
    sum.evicted += t.sessionsEvicted;
    for (const k of Object.values(t.kernels)) sum.reference += k.reference;
  }
  return sum;
}

/** The total of one warm-run counter over `points`. */
const sum = (points, key) => points.reduce((a, p) => a + p.cold[key], 0);

const pct = (x) => `${(100 * x).toFixed(1)}%`;

function rowsOf(label, summary) {
  return [
    label,
    String(summary.count),
    pct(summary.medianError),
    pct(summary.p90Error),
    summary.kendallTau.toFixed(2),
    summary.regret.toFixed(2),
  ];
}

/** Without kernel tables and executor terms: the roofline model on the same measured figures. */
function rooflineOf(cluster) {
  const deviceTypes = Object.fromEntries(
    Object.entries(cluster.deviceTypes).map(([name, { kernels: _, ...rest }]) => [name, rest]),
  );
  const { executor: _, ...rest } = cluster;
  return { ...rest, deviceTypes };
}

/** Without the input copies and the per-byte dispatch (2026-12-05): what those terms change on the same measurements. */
function withoutCopiesOf(cluster) {
  if (cluster.executor === undefined) return cluster;
  const { assemble: _, taskDispatchPerByte: __, ...executor } = cluster.executor;
  return { ...cluster, executor };
}

/** Without the kernel tables' shape points (2026-12-05): contractions priced by their FLOPs alone, on the same measurements. */
function withoutShapesOf(cluster) {
  const deviceTypes = Object.fromEntries(
    Object.entries(cluster.deviceTypes).map(([name, type]) => [
      name,
      { ...type, kernels: type.kernels?.map(({ shapes: _, ...table }) => table) },
    ]),
  );
  return { ...cluster, deviceTypes };
}

/** Runs the suite; returns the table rows and notes. */
export async function run({ quick }) {
  const started = Date.now();
  const calibration = await calibrate({ workers: 2, backend: "onnx", quick });
  const calibrationSeconds = (Date.now() - started) / 1000;
  const cluster = parseCluster(calibratedCluster(calibration, new Date().toISOString()));
  const roofline = rooflineOf(cluster);
  const withoutCopies = withoutCopiesOf(cluster);
  const withoutShapes = withoutShapesOf(cluster);
  const executor = await createLocalExecutor({ threads: 2, backend: "onnx" });
  const perPlan = quick ? 8 : 14;
  // A warm run here takes one of a few speeds (its median round is 1.6–1.9× its fastest, even on
  // an idle machine): with 12 rounds two measurements of one plan differed by up to 2×, with 30
  // they agree within about 10–15%, which rank correlation needs.
  const rounds = quick ? 8 : 30;
  const results = [];
  const notes = [];
  try {
    for (const [i, prog] of programs(quick).entries()) {
      const { plans, chosen } = await candidates(prog, cluster, perPlan, quick ? 3 : 6, quick ? 1 : 3, i);
      const inputs = randomInputs(prog, 7);
      const m = await measure(executor, plans, inputs, rounds);
      const points = plans.map((p, k) => ({
        program: prog.name,
        name: p.name,
        // The plan itself, so that a model change can be judged against these measurements
        // offline (scripts/resimulate-fidelity.mjs) without measuring again.
        plan: planToJson(p.plan),
        measured: m.seconds[k],
        predicted: createSimulator(p.plan, cluster).cost().makespan,
        roofline: createSimulator(p.plan, roofline).cost().makespan,
        withoutCopies: createSimulator(p.plan, withoutCopies).cost().makespan,
        withoutShapes: createSimulator(p.plan, withoutShapes).cost().makespan,
        // Over all measured rounds: sessions built, evicted and reference kernel runs.
        cold: m.cold[k],
        // Every round's wall, in round order: other statistics than the fastest can be judged offline.
        walls: m.walls[k],
      }));
      results.push({ program: prog.name, points, chosen, foreign: m.foreign, spread: m.spread });
    }
  } finally {
    await executor.close();
  }
  mkdirSync(dirname(DETAILS), { recursive: true });
  writeFileSync(
    DETAILS,
    `${JSON.stringify({ cluster: clusterToJson(cluster), calibration, results }, null, 2)}\n`,
  );
  const calibrated = (pts) => pts.map((p) => ({ predicted: p.predicted, measured: p.measured }));
  const rooflined = (pts) => pts.map((p) => ({ predicted: p.roofline, measured: p.measured }));
  const copiesFree = (pts) => pts.map((p) => ({ predicted: p.withoutCopies, measured: p.measured }));
  const shapeFree = (pts) => pts.map((p) => ({ predicted: p.withoutShapes, measured: p.measured }));
  const rows = [];
  const all = results.flatMap((r) => r.points);
  const perProgram = results.map((r) => ({
    r,
    cal: fidelitySummary(calibrated(r.points)),
    roof: fidelitySummary(rooflined(r.points)),
  }));
  const overall = fidelitySummary(calibrated(all));
  const overallRoof = fidelitySummary(rooflined(all));
  const worstRegret = Math.max(...perProgram.map((p) => p.cal.regret));
  const minTau = Math.min(...perProgram.map((p) => p.cal.kendallTau));
  rows.push([...rowsOf("all programs, calibrated", { ...overall, regret: worstRegret })]);
  const bare = results.map((r) => fidelitySummary(copiesFree(r.points)));
  rows.push([
    ...rowsOf("all programs, calibrated without input copies", {
      ...fidelitySummary(copiesFree(all)),
      regret: Math.max(...bare.map((s) => s.regret)),
    }),
  ]);
  const flat = results.map((r) => fidelitySummary(shapeFree(r.points)));
  rows.push([
    ...rowsOf("all programs, calibrated without shape points", {
      ...fidelitySummary(shapeFree(all)),
      regret: Math.max(...flat.map((s) => s.regret)),
    }),
  ]);
  rows.push([
    ...rowsOf("all programs, roofline", {
      ...overallRoof,
      regret: Math.max(...perProgram.map((p) => p.roof.regret)),
    }),
  ]);
  for (const { r, cal, roof } of perProgram) {
    rows.push(rowsOf(`${r.program}, calibrated`, cal));
    rows.push(rowsOf(`${r.program}, roofline`, roof));
  }
  const met = (ok) => (ok ? "met" : "NOT met");
  const foreign = results.flatMap((r) => r.foreign);
  notes.push(
    `Goals (calibrated): median |error| ${pct(overall.medianError)} ≤ 15% ${met(overall.medianError <= GOALS.medianError)}; ` +
      `tau ${overall.kendallTau.toFixed(2)} overall, ${minTau.toFixed(2)} within the worst program, ≥ 0.9 ${met(overall.kendallTau >= GOALS.kendallTau)}; ` +
      `regret ${worstRegret.toFixed(2)} in the worst program ≤ 1.05 ${met(worstRegret <= GOALS.regret)}. The regret of the *all programs* rows is the worst program's (plans of different programs are never alternatives).`,
    `*calibrated without input copies* drops the executor's input-copy and per-byte dispatch terms (\`assemble\`, \`taskDispatchPerByte\`): their effect on the same measurements. Kendall's tau per program without them: ${results.map((r, i) => `${r.program} ${bare[i].kendallTau.toFixed(2)}`).join(", ")}.`,
    `*calibrated without shape points* prices matmul, linear and conv2d shards by their FLOPs alone (the kernel tables' \`shapes\` dropped): their effect on the same measurements. Kendall's tau per program without them: ${results.map((r, i) => `${r.program} ${flat[i].kendallTau.toFixed(2)}`).join(", ")}.`,
    `Plans: ${all.length} (${results.map((r) => `${r.program} ${r.points.length}`).join(", ")}): baselines, members of the search's front spread over it and its chosen plan (${quick ? 1 : 3} s, seed = program index) and random valid plans (each operation whole or cut in two on a random index dimension, shards placed at random).`,
    `Measured: ${rounds} rounds per program, each running every plan once in a fresh seeded order (a rotation would give each plan the same predecessor every round); a plan's time is its fastest wall (\`stats.wallMs\`) over the rounds, the undisturbed run the model describes (calibration takes the fastest of its repeats too). ` +
      `Other processes' share of the CPU per round: ${pct(Math.min(...foreign))} – ${pct(Math.max(...foreign))} (median ${pct(median(foreign))}).`,
    `Noise: a plan's median round over its fastest is ${median(results.flatMap((r) => r.spread)).toFixed(2)}× at the median plan and ${Math.max(...results.flatMap((r) => r.spread)).toFixed(2)}× at worst (the same warm run takes one of a few speeds on this machine, even idle).`,
    `Warm runs: over the measured rounds the executor built ${sum(all, "sessions")} ONNX sessions, evicted ${sum(all, "evicted")} and ran ${sum(all, "reference")} kernels on the reference backend` +
      (all.some((p) => p.cold.sessions + p.cold.reference > 0)
        ? ` (${all
            .filter((p) => p.cold.sessions + p.cold.reference > 0)
            .map((p) => `${p.program}/${p.name}: ${p.cold.sessions} built, ${p.cold.reference} reference`)
            .join("; ")}).`
        : "."),
    `Calibration: ${calibration.quick ? "--quick" : "full"} (the cluster and every plan's figures are written to \`${DETAILS}\`); calibration took ${calibrationSeconds.toFixed(0)} s and this run ${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
    `Per plan (program / plan: predicted, measured ms): ${all.map((p) => `${p.program}/${p.name} ${(1000 * p.predicted).toFixed(1)}, ${(1000 * p.measured).toFixed(1)}`).join("; ")}.`,
  );
  return {
    headings: ["programs, model", "plans", "median abs. error", "p90 abs. error", "Kendall tau", "regret"],
    rows,
    notes,
  };
}
