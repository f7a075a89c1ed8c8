// Benchmark suite: the local executor against itself on 1 and 2 workers, against onnxruntime
// running the same program unsharded on 2 intra-op threads, the bytes it moves, and the
// GFLOP/s it reaches against this machine's measured peak. All with ONNX Runtime kernels.
import {
  builtinRegistry,
  createOnnxBackend,
  deriveTaskGraph,
  evaluateProgramWith,
  loadProgramFile,
  makePlan,
  program,
  randomInputs,
  runLocal,
} from "../dist/index.js";

/** Stable id: names this suite's section in BENCHMARKS.md. */
export const id = "executor";

/** Heading of the suite's section. */
export const title = "Local executor";

/** What the suite measures. */
export const description =
  "A compute-bound MLP (batch 2048, 4096 → 4096 → 4096, float32: 137 GFLOP) run by the local executor with ONNX Runtime kernels on 1 and 2 worker threads, " +
  "against onnxruntime running it unsharded with 2 intra-op threads; bytes moved vs derived vs sending whole tensors; GFLOP/s vs this machine's measured matmul peak. " +
  "Wall times are medians of runs measured side by side (alternating), and include worker start-up, ONNX session creation and input loading.";

const registry = builtinRegistry();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function mlp(batch, width) {
  const p = program("bench-mlp");
  const x = p.input("x", [batch, width]);
  const h = p.relu(p.linear(x, p.input("w1", [width, width]), p.input("b1", [width]), { id: "fc1" }), {
    id: "act",
  });
  p.output("y", p.linear(h, p.input("w2", [width, width]), p.input("b2", [width]), { id: "fc2" }));
  return p.build();
}

/** GFLOP/s of a float32 matmul of n³ through the ONNX backend with `threads` intra-op threads. */
async function matmulPeak(n, threads, reps) {
  const p = program("peak");
  p.output("c", p.matmul(p.input("a", [n, n]), p.input("b", [n, n])));
  const prog = p.build();
  const backend = await createOnnxBackend({ intraOpNumThreads: threads });
  const inputs = randomInputs(prog, 1);
  const run = () => evaluateProgramWith(prog, inputs, registry, (def, ctx) => backend.run(def, ctx));
  await run();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  await backend.dispose();
  return (2 * n ** 3) / (median(times) / 1000) / 1e9;
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
  const reps = quick ? 1 : 3;
  const batch = quick ? 512 : 2048;
  const width = quick ? 1024 : 4096;
  const flops = 2 * 2 * batch * width * width;
  const prog = mlp(batch, width);
  const inputs = randomInputs(prog, 7);
  const one = makePlan(prog, { devices: ["d0"] });
  const split = { fc1: [{ dim: 0, parts: 2 }], act: [{ dim: 0, parts: 2 }], fc2: [{ dim: 0, parts: 2 }] };
  const two = makePlan(prog, { devices: ["d0", "d1"], splits: split });
  const ort = await createOnnxBackend({ intraOpNumThreads: 2 });
  const unsharded = () => evaluateProgramWith(prog, inputs, registry, (def, ctx) => ort.run(def, ctx));
  await unsharded(); // warm: session creation excluded from the timed runs below
  const t1 = [];
  const t2 = [];
  const tOrt = [];
  let moved2 = 0;
  let derived2 = 0;
  for (let i = 0; i < reps; i++) {
    t1.push((await runLocal(one, inputs, { registry, backend: "onnx", threads: 1 })).stats.wallMs);
    const r2 = await runLocal(two, inputs, { registry, backend: "onnx", threads: 2 });
    t2.push(r2.stats.wallMs);
    moved2 = r2.stats.bytesMoved;
    derived2 = r2.stats.bytesDerived;
    const t0 = performance.now();
    await unsharded();
    tOrt.push(performance.now() - t0);
  }
  await ort.dispose();
  const [w1, w2, wo] = [median(t1), median(t2), median(tOrt)];
  const peak1 = await matmulPeak(quick ? 512 : 2048, 1, reps);
  const peak2 = await matmulPeak(quick ? 512 : 2048, 2, reps);
  const gflops = (ms) => flops / (ms / 1000) / 1e9;
  const rows = [
    ["(a) local executor, 1 worker", `${w1.toFixed(0)} ms`, `${gflops(w1).toFixed(1)} GFLOP/s`, "1.00×"],
    [
      "(a) local executor, 2 workers (batch split)",
      `${w2.toFixed(0)} ms`,
      `${gflops(w2).toFixed(1)} GFLOP/s`,
      `${(w1 / w2).toFixed(2)}× vs 1 worker (goal ≥ 1.8×)`,
    ],
    [
      "(b) onnxruntime unsharded, 2 intra-op threads (warm)",
      `${wo.toFixed(0)} ms`,
      `${gflops(wo).toFixed(1)} GFLOP/s`,
      `local 2 workers at ${(wo / w2).toFixed(2)}× its speed (goal ≥ 0.8×)`,
    ],
    ["(d) measured matmul peak, 1 thread", "", `${peak1.toFixed(1)} GFLOP/s`, ""],
    [
      "(d) measured matmul peak, 2 threads",
      "",
      `${peak2.toFixed(1)} GFLOP/s`,
      `local 2 workers reach ${((100 * gflops(w2)) / peak2).toFixed(0)}% of it`,
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
      `${reps} run(s) per configuration, alternating 1 worker / 2 workers / onnxruntime so that machine noise hits all alike.`,
      "The local executor's wall includes starting the worker threads, creating ONNX sessions and loading inputs into the workers; onnxruntime's excludes session creation (warm).",
      "The peak is measured, not theoretical: the best float32 matmul rate ONNX Runtime reaches here on a 2048³ problem.",
    ],
  };
}
