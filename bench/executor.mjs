// Benchmark suite: the local executor against itself on 1 and 2 workers, against onnxruntime
// running the same program unsharded on 2 intra-op threads, the bytes it moves, and the
// GFLOP/s it reaches against this machine's measured peak. All with ONNX Runtime kernels.
// Warm (persistent executors, created before timing) and cold (one-shot `runLocal`) side by side.

import os from "node:os";
import { createOnnxBackend, evaluateProgramWith } from "../dist/exec/index.js";
import {
  builtinRegistry,
  createLocalExecutor,
  loadProgramFile,
  makePlan,
  program,
  randomInputs,
  runLocal,
} from "../dist/index.js";
import { deriveTaskGraph } from "../dist/plan/index.js";
import { machineCpu, median, ownCpu } from "./harness.mjs";
import { benchMlp } from "./mlp-program.mjs";

/** Stable id: names this suite's section in BENCHMARKS.md. */
export const id = "executor";

/** Heading of the suite's section. */
export const title = "Local executor";

/** What the suite measures. */
export const description =
  "A compute-bound MLP (batch 2048, 4096 → 4096 → 4096, float32: 137 GFLOP) run by the local executor with ONNX Runtime kernels on 1 and 2 worker threads, " +
  "against onnxruntime running it unsharded with 2 intra-op threads; bytes moved vs derived vs sending whole tensors; GFLOP/s vs this machine's measured matmul peak. " +
  "Wall times are medians of runs measured side by side (alternating). Warm rows run on persistent executors (`createLocalExecutor`, started and warmed up before timing: threads, ONNX sessions); " +
  "cold rows are one-shot `runLocal` calls, which include starting the worker threads, loading ONNX Runtime and creating its sessions.";

const registry = builtinRegistry();

/** GFLOP/s of a float32 matmul of n³ through the ONNX backend with `threads` intra-op threads. */
async function matmulPeak(n, threads, reps) {
  const p = program("peak");
  p.output("c", p.matmul(p.input("a", [n, n]), p.input("b", [n, n])));
  const prog = p.build();
  const backend = await createOnnxBackend({ intraOpNumThreads: threads });
  const inputs = randomInputs(prog, 1);
  const run = () => evaluateProgramWith(prog, inputs, registry, (def, ctx) => backend.run(def, ctx));
  await run();
  const { kept } = await quietRounds(reps, () => timed(run));
  await backend.dispose();
  return (2 * n ** 3) / (median(kept) / 1000) / 1e9;
}

/**
 * Runs `round()` until `reps` rounds ran on a quiet machine, at most `4 × reps` attempts. The
 * machine is shared: a round during which other processes took more than `maxForeign` of the
 * machine's CPU time (busy time not spent by this process) is discarded. Returns the kept
 * rounds' results and how many were discarded.
 */
async function quietRounds(reps, round, maxForeign = 0.05) {
  const kept = [];
  let discarded = 0;
  let last;
  for (let attempt = 0; attempt < 4 * reps && kept.length < reps; attempt++) {
    const [m0, p0] = [machineCpu(), ownCpu()];
    last = await round();
    const [m1, p1] = [machineCpu(), ownCpu()];
    const foreign = m0 === undefined ? 0 : (m1.busy - m0.busy - (p1 - p0)) / (m1.total - m0.total);
    if (foreign > maxForeign) discarded++;
    else kept.push(last);
  }
  // Never report nothing: on a machine that never went quiet, the last round stands.
  if (kept.length === 0) {
    kept.push(last);
    discarded--;
  }
  return { kept, discarded };
}

/** Milliseconds of `run()`. */
async function timed(run) {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/** Median of each phase and of each thread's busy time over `results` (`LocalRunResult`s). */
function split(results) {
  const phase = (k) => median(results.map((r) => r.stats.phases[k]));
  const busy = results[0].stats.perThread.map((_, t) =>
    median(results.map((r) => r.stats.perThread[t].busyMs)),
  );
  const ms = (v) => v.toFixed(0);
  return (
    `load ${ms(phase("loadMs"))} · compute ${ms(phase("computeMs"))} (busy ${busy.map(ms).join(" / ")}) · ` +
    `fetch ${ms(phase("fetchMs"))} · prepare+end ${ms(phase("prepareMs") + phase("endMs"))} ms; ` +
    `${(median(results.map((r) => r.stats.bytesLoaded)) / 2 ** 20).toFixed(0)} MiB loaded`
  );
}

/** Bytes whole-tensor shipping would move: every tensor a device reads from elsewhere, sent entire. */
function naiveBytes(graph, prog) {
  const sizes = new Map(prog.tensors.map((t) => [t.id, t.range.size * (t.dtype === "float64" ? 8 : 4)]));
  const pairs = new Set();
  for (const t of graph.transfers) pairs.add(`${t.tensor}|${t.to}`);
  return [...pairs].reduce((sum, key) => sum + sizes.get(key.split("|")[0]), 0);
}

/** Runs the suite; returns the table rows and notes. */
export async function run({ quick }) {
  const warmReps = quick ? 5 : 7;
  const coldReps = quick ? 1 : 5;
  const batch = quick ? 512 : 2048;
  const width = quick ? 1024 : 4096;
  const flops = 2 * 2 * batch * width * width;
  const prog = benchMlp(batch, width);
  const inputs = randomInputs(prog, 7);
  const one = makePlan(prog, { devices: ["d0"] });
  const split2 = { fc1: [{ dim: 0, parts: 2 }], act: [{ dim: 0, parts: 2 }], fc2: [{ dim: 0, parts: 2 }] };
  const two = makePlan(prog, { devices: ["d0", "d1"], splits: split2 });
  const ort = await createOnnxBackend({ intraOpNumThreads: 2 });
  const unsharded = () => evaluateProgramWith(prog, inputs, registry, (def, ctx) => ort.run(def, ctx));

  // Warm: one executor per configuration, started and warmed up (one run) before any timing.
  // `kept` runs pass keepInputs (the inputs stay in the workers, as onnxruntime reads its inputs
  // in place); `copied` runs copy every input into the workers on every run.
  const keep = { keepInputs: true };
  const configs = [
    { name: "kept1", plan: one, threads: 1, options: keep },
    { name: "kept2", plan: two, threads: 2, options: keep },
    { name: "copied1", plan: one, threads: 1, options: {} },
    { name: "copied2", plan: two, threads: 2, options: {} },
  ];
  const executors = [];
  for (const c of configs) {
    const executor = await createLocalExecutor({ threads: c.threads, backend: "onnx" });
    executors.push(executor);
    await executor.run(c.plan, inputs, c.options);
  }
  await unsharded(); // warm: session creation excluded from the timed runs below
  const warm = Object.fromEntries(configs.map((c) => [c.name, []]));
  const tOrt = [];
  // Each round runs every executor and onnxruntime once, starting one further along each time:
  // whatever the run after another one pays (or saves) is spread over all of them.
  let round = 0;
  const warmRounds = await quietRounds(warmReps, async () => {
    const results = [];
    let ms = 0;
    for (let i = 0; i <= configs.length; i++) {
      const k = (round + i) % (configs.length + 1);
      if (k === configs.length) ms = await timed(unsharded);
      else results[k] = await executors[k].run(configs[k].plan, inputs, configs[k].options);
    }
    round++;
    return { results, ort: ms };
  });
  for (const { results, ort: ms } of warmRounds.kept) {
    configs.forEach((c, k) => {
      warm[c.name].push(results[k]);
    });
    tOrt.push(ms);
  }
  const spawned = executors.map((e) => e.stats().workersSpawned).reduce((a, b) => a + b, 0);
  const createdWarm = configs.map((c) =>
    warm[c.name].reduce(
      (n, r) => n + r.stats.perThread.reduce((m, t) => m + t.backend.sessionsCreated, 0),
      0,
    ),
  );
  for (const e of executors) await e.close();

  // Cold: one-shot runLocal (threads, ONNX sessions and input loading in every run).
  let moved2 = 0;
  let derived2 = 0;
  const coldRounds = await quietRounds(coldReps, async () => {
    const r1 = await runLocal(one, inputs, { registry, backend: "onnx", threads: 1 });
    const r2 = await runLocal(two, inputs, { registry, backend: "onnx", threads: 2 });
    moved2 = r2.stats.bytesMoved;
    derived2 = r2.stats.bytesDerived;
    return { one: r1.stats.wallMs, two: r2.stats.wallMs, ort: await timed(unsharded) };
  });
  const cold1 = coldRounds.kept.map((r) => r.one);
  const cold2 = coldRounds.kept.map((r) => r.two);
  const tOrtCold = coldRounds.kept.map((r) => r.ort);
  await ort.dispose();

  const wall = (name) => median(warm[name].map((r) => r.stats.wallMs));
  const [k1, k2, c1, c2] = configs.map((c) => wall(c.name));
  const busy1 = (name) => median(warm[name].map((r) => r.stats.perThread[0].busyMs));
  const [w1, w2, wo, woCold] = [median(cold1), median(cold2), median(tOrt), median(tOrtCold)];
  const peak1 = await matmulPeak(quick ? 512 : 2048, 1, warmReps);
  const peak2 = await matmulPeak(quick ? 512 : 2048, 2, warmReps);
  const gflops = (ms) => flops / (ms / 1000) / 1e9;
  const rate = (ms) => `${gflops(ms).toFixed(1)} GFLOP/s`;
  const speedup = (a, b) => `${(a / b).toFixed(2)}× vs 1 worker (goal ≥ 1.8×)`;
  const vsOrt = (ort, local) => `${(ort / local).toFixed(2)}× onnxruntime's speed (goal ≥ 0.8×)`;
  const rows = [
    ["(a) warm, inputs kept: 1 worker", `${k1.toFixed(0)} ms`, rate(k1), "1.00×"],
    [
      "(a) warm, inputs kept: 2 workers (batch split)",
      `${k2.toFixed(0)} ms`,
      rate(k2),
      `${speedup(k1, k2)}; ${vsOrt(wo, k2)}`,
    ],
    ["(a) warm, inputs copied each run: 1 worker", `${c1.toFixed(0)} ms`, rate(c1), "1.00×"],
    [
      "(a) warm, inputs copied each run: 2 workers",
      `${c2.toFixed(0)} ms`,
      rate(c2),
      `${speedup(c1, c2)}; ${vsOrt(wo, c2)}`,
    ],
    ["(a) cold (one-shot runLocal): 1 worker", `${w1.toFixed(0)} ms`, rate(w1), "1.00×"],
    [
      "(a) cold (one-shot runLocal): 2 workers",
      `${w2.toFixed(0)} ms`,
      rate(w2),
      `${speedup(w1, w2)}; ${vsOrt(woCold, w2)} (onnxruntime ${woCold.toFixed(0)} ms in this loop)`,
    ],
    ["(b) onnxruntime unsharded, 2 intra-op threads (warm)", `${wo.toFixed(0)} ms`, rate(wo), ""],
    ["(e) time split, warm, inputs kept: 1 worker", "", "", split(warm.kept1)],
    ["(e) time split, warm, inputs kept: 2 workers", "", "", split(warm.kept2)],
    ["(e) time split, warm, inputs copied: 1 worker", "", "", split(warm.copied1)],
    ["(e) time split, warm, inputs copied: 2 workers", "", "", split(warm.copied2)],
    ["(d) measured matmul peak, 1 thread", "", `${peak1.toFixed(1)} GFLOP/s`, ""],
    [
      "(d) measured matmul peak, 2 threads",
      "",
      `${peak2.toFixed(1)} GFLOP/s`,
      `local 2 workers (warm, inputs kept) reach ${((100 * gflops(k2)) / peak2).toFixed(0)}% of it`,
    ],
  ];
  // (c) traffic on the examples' plans, with the reference backend (small programs).
  const traffic = [
    [
      "mlp, Megatron (fc1 columns, fc2 rows), 2 devices",
      "examples/mlp.json",
      { fc1: [{ dim: 1, parts: 2 }], act1: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
      2,
    ],
    [
      "transformer block, heads split + mlp_up k split, 4 devices",
      "examples/transformer-block.json",
      {
        q: [{ dim: 0, parts: 2 }],
        k: [{ dim: 0, parts: 2 }],
        v: [{ dim: 0, parts: 2 }],
        k_t: [{ dim: 0, parts: 2 }],
        scores: [{ dim: 0, parts: 2 }],
        attn: [{ dim: 0, parts: 2 }],
        context: [{ dim: 0, parts: 2 }],
        out_proj: [{ dim: 0, parts: 2 }],
        head_sum: [{ dim: 0, parts: 2 }],
        mlp_up: [
          { dim: 1, parts: 2 },
          { dim: 2, parts: 2 },
        ],
      },
      4,
    ],
    [
      "conv net, spatial splits (halos), 3 devices",
      "examples/conv-net.json",
      { conv1: [{ dim: 3, parts: 3 }], relu1: [{ dim: 2, parts: 3 }], conv2: [{ dim: 3, parts: 3 }] },
      3,
    ],
  ];
  for (const [name, file, splits, n] of traffic) {
    const p = loadProgramFile(file, registry);
    const plan = makePlan(p, { devices: Array.from({ length: n }, (_, i) => `d${i}`), splits });
    const graph = deriveTaskGraph(plan);
    const r = await runLocal(plan, randomInputs(p, 1), { registry, threads: 2 });
    const naive = naiveBytes(graph, p);
    rows.push([
      `(c) ${name}`,
      "",
      `${r.stats.bytesMoved} B moved`,
      `derived ${r.stats.bytesDerived} B (${r.stats.bytesMoved === r.stats.bytesDerived ? "equal" : "DIFFERENT"}); whole tensors ${naive} B (${(naive / Math.max(1, r.stats.bytesMoved)).toFixed(1)}×)`,
    ]);
  }
  rows.push([
    "(c) bench MLP, batch split, 2 devices",
    "",
    `${moved2} B moved`,
    `derived ${derived2} B (${moved2 === derived2 ? "equal" : "DIFFERENT"})`,
  ]);
  return {
    headings: ["measurement", "median wall", "rate", "ratio"],
    rows,
    notes: [
      `Warm: ${warmRounds.kept.length} timed rounds after one warm-up run per executor; a round runs each of the four executors once and onnxruntime once, in an order rotated every round so that machine noise and order effects hit all alike; ` +
        `${spawned} worker threads started for all ${configs.length * (1 + warmRounds.kept.length + warmRounds.discarded)} warm runs, ONNX sessions created during timed runs: ${createdWarm.reduce((a, b) => a + b, 0)}.`,
      `Cold: ${coldRounds.kept.length} round(s) of one-shot runs (1 worker, 2 workers, onnxruntime); each runLocal includes starting the threads, loading ONNX Runtime, creating its sessions and loading the inputs.`,
      `The machine is shared (${os.cpus().length} cores): a round during which other processes used more than 5% of its CPU time is discarded and run again (discarded: ${warmRounds.discarded} warm, ${coldRounds.discarded} cold).`,
      "Inputs kept: runs pass `keepInputs`, so the workers reuse the input copies an earlier run left them (the same input objects); onnxruntime likewise reads its inputs in place. Inputs copied: the default, every run copies each device's input regions into its worker.",
      "(e) splits a warm run's wall as the coordinator sees it (medians): loading inputs into the workers, computing (and each thread's kernel-busy time), fetching the output, and the rest.",
      `The two 1-worker executors do the same kernel work, yet their kernel-busy medians are ${busy1("kept1").toFixed(0)} ms (inputs kept) and ${busy1("copied1").toFixed(0)} ms (copied): ` +
        "in our runs on this VM the same kernels ran up to ~20% apart between executors of one process (it follows the executor, not the mode: swapping their creation order swapped it), so each speedup inherits its baseline's luck. " +
        `Against the faster 1-worker wall (${Math.min(k1, c1).toFixed(0)} ms), 2 workers reach ${(Math.min(k1, c1) / k2).toFixed(2)}× with inputs kept and ${(Math.min(k1, c1) / c2).toFixed(2)}× with inputs copied.`,
      "The peak is measured, not theoretical: the best float32 matmul rate ONNX Runtime reaches here on a 2048³ problem.",
    ],
  };
}
