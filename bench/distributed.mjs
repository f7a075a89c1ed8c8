// Benchmark suite: the distributed executor (Redis + BullMQ, `tessera worker` processes) beside
// the local executor, in one run: the executor bench's compute-bound MLP on 2 worker processes
// vs 2 worker threads, the per-task overhead of the queue on a plan of many small shards, the
// bytes through Redis vs derived, and the time to recover from a kill -9 of a worker.
// Starts its own redis-server (Debian's) on a free loopback port and its own workers.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createDistributedExecutor, createLocalExecutor, makePlan, randomInputs } from "../dist/index.js";
import { deriveTaskGraph } from "../dist/plan/index.js";
import { median } from "./harness.mjs";
import { benchMlp } from "./mlp-program.mjs";

/** Stable id: names this suite's section in BENCHMARKS.md. */
export const id = "distributed";

/** Heading of the suite's section. */
export const title = "Distributed executor";

/** What the suite measures. */
export const description =
  "The distributed executor (Redis 7 + BullMQ, `tessera worker` child processes on this machine, ONNX Runtime kernels) beside the local executor (2 worker threads, ONNX Runtime), measured side by side (alternating, medians): " +
  'a compute-bound MLP (the executor suite\'s at half size: batch 1024, 2048 → 2048 → 2048, float32, 17 GFLOP) split by rows over 2 devices (goal: distributed ≥ 0.8× the local speed), on the direct data plane (inputs and outputs between the coordinator and the workers over HTTP, the default) and with `dataPlane: "redis"` (inputs and outputs through Redis, as before the direct plane); per-task overhead on a plan of many small shards; ' +
  "bytes through Redis vs derived; time to recover from a kill -9 of a worker mid-run (the killed run's wall time minus an undisturbed run's). " +
  "Both executors are persistent and warmed up. In the first rows both copy the inputs in on every run; in the `keepInputs` rows both keep them in their workers between runs (the local executor in its threads, the distributed one in its worker processes' caches) and each run passes the very same input values.";

const bin = fileURLToPath(new URL("../bin/tessera", import.meta.url));

function rows(parts) {
  return { fc1: [{ dim: 0, parts }], act: [{ dim: 0, parts }], fc2: [{ dim: 0, parts }] };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (d) => done(String(d).startsWith("+PONG")));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tessera-bench-redis-"));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"],
    {
      stdio: "ignore",
    },
  );
  const failed = new Promise((_, reject) =>
    child.once("error", (e) => reject(new Error(`redis-server cannot start: ${e.message}`))),
  );
  const until = Date.now() + 10_000;
  while (!(await Promise.race([ping(port), failed]))) {
    if (Date.now() > until) throw new Error("redis-server did not answer within 10 s");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop() {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startWorker(redis, name) {
  const child = spawn(
    process.execPath,
    [bin, "worker", "--redis", redis, "--name", name, "--backend", "onnx", "--heartbeat-ms", "500"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let text = "";
  child.stdout.on("data", (d) => {
    text += String(d);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const until = Date.now() + 60_000;
  while (!text.includes(" ready at ")) {
    if (child.exitCode !== null || Date.now() > until)
      throw new Error(`worker ${name} did not start: ${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, child, exited };
}

const ms = (x) => `${x.toFixed(0)} ms`;

export async function run({ quick }) {
  // Before any worker starts: what else was running shows in the load average, not in our CPU.
  const loadBefore = loadavg()[0];
  const reps = quick ? 2 : 3;
  // The MLP rows carry the goal: more runs, for medians that hold on a shared machine.
  const mlpReps = quick ? 2 : 7;
  // The executor suite's MLP is 2048×4096; at half its size (1/8 of its FLOP) the suite stays a
  // few minutes on a shared 2-core machine, and the kernels still dominate each task.
  const batch = quick ? 512 : 1024;
  const width = quick ? 1024 : 2048;
  const redis = await startRedis();
  const workers = [];
  const local = await createLocalExecutor({ threads: 2, backend: "onnx" });
  let dist;
  try {
    workers.push(await startWorker(redis.url, "bench1"), await startWorker(redis.url, "bench2"));
    // Recovery settings: a kill -9 is detected within about a second.
    const coordinator = (extra = {}) =>
      createDistributedExecutor({
        redis: redis.url,
        lockDurationMs: 3000,
        stalledIntervalMs: 1000,
        monitorMs: 200,
        kernelTimeoutMs: 600_000,
        ...extra,
      });
    dist = await coordinator();

    // (a) compute-bound MLP, rows split over 2 devices.
    const big = benchMlp(batch, width);
    const bigPlan = makePlan(big, { devices: ["d0", "d1"], splits: rows(2) });
    const bigInputs = randomInputs(big, 7);
    await local.run(bigPlan, bigInputs);
    await dist.run(bigPlan, bigInputs);
    // The same coordinator settings with inputs and outputs through Redis (the earlier design).
    const viaRedis = await coordinator({ dataPlane: "redis" });
    await viaRedis.run(bigPlan, bigInputs);
    // Inputs over HTTP to these workers on the coordinator's machine, not through shared memory.
    const viaHttp = await coordinator({ sharedMemory: false });
    await viaHttp.run(bigPlan, bigInputs);
    // Both executors keeping inputs between runs (`keepInputs`), each a separate executor: a run
    // without keepInputs drops what its executor kept, so the copying rows must not share one.
    const keep = { keepInputs: true };
    const localKeep = await createLocalExecutor({ threads: 2, backend: "onnx" });
    const distKeep = await coordinator();
    const redisKeep = await coordinator({ dataPlane: "redis" });
    const localMs = [];
    const distMs = [];
    const redisMs = [];
    const httpMs = [];
    const localKeepMs = [];
    const distKeepMs = [];
    const redisKeepMs = [];
    let phases;
    let keptPhases;
    let keptLoaded = 0;
    let keptBytes = 0;
    try {
      // Warm-up, and the first runs keep their inputs.
      await localKeep.run(bigPlan, bigInputs, keep);
      await distKeep.run(bigPlan, bigInputs, keep);
      await redisKeep.run(bigPlan, bigInputs, keep);
      for (let r = 0; r < mlpReps; r++) {
        localMs.push((await local.run(bigPlan, bigInputs)).stats.wallMs);
        const d = await dist.run(bigPlan, bigInputs);
        distMs.push(d.stats.wallMs);
        phases ??= {
          ...d.stats.phases,
          served: d.stats.direct.inputsServed,
          shared: d.stats.direct.inputsShared,
          busy: d.stats.perWorker
            .map((w) => `${ms(w.busyMs)} in ${w.jobs} job${w.jobs === 1 ? "" : "s"}`)
            .join(", "),
        };
        redisMs.push((await viaRedis.run(bigPlan, bigInputs)).stats.wallMs);
        httpMs.push((await viaHttp.run(bigPlan, bigInputs)).stats.wallMs);
        localKeepMs.push((await localKeep.run(bigPlan, bigInputs, keep)).stats.wallMs);
        const k = await distKeep.run(bigPlan, bigInputs, keep);
        distKeepMs.push(k.stats.wallMs);
        keptLoaded = Math.max(keptLoaded, k.stats.bytesLoaded);
        keptBytes = k.stats.bytesKept;
        keptPhases ??= {
          ...k.stats.phases,
          busy: k.stats.perWorker.map((w) => ms(w.busyMs)).join(", "),
        };
        redisKeepMs.push((await redisKeep.run(bigPlan, bigInputs, keep)).stats.wallMs);
      }
    } finally {
      await viaHttp.close();
      await viaRedis.close();
      await redisKeep.close();
      await distKeep.close();
      await localKeep.close();
    }
    const lm = median(localMs);
    const dm = median(distMs);
    const rm = median(redisMs);
    const hm = median(httpMs);
    const lk = median(localKeepMs);
    const dk = median(distKeepMs);
    const rk = median(redisKeepMs);
    const flops = 2 * 2 * batch * width * width;
    const gflops = (t) => `${(flops / (t / 1000) / 1e9).toFixed(1)} GFLOP/s`;

    // (b) per-task overhead: a small MLP cut into many shards on 2 devices.
    const small = benchMlp(256, 64);
    const manyPlan = makePlan(small, { devices: ["d0", "d1"], splits: rows(32) });
    const tasks = deriveTaskGraph(manyPlan).tasks.length;
    const smallInputs = randomInputs(small, 3);
    // One job per task (maxChain 1): the queue round trip every task paid before chains.
    const single = await coordinator({ maxChain: 1 });
    const lSmall = [];
    const dSmall = [];
    const sSmall = [];
    const lSmallWall = [];
    const dSmallWall = [];
    let smallJobs = 0;
    try {
      await local.run(manyPlan, smallInputs);
      await dist.run(manyPlan, smallInputs);
      await single.run(manyPlan, smallInputs);
      for (let r = 0; r < reps + 2; r++) {
        const l = await local.run(manyPlan, smallInputs);
        lSmall.push(l.stats.phases.computeMs);
        lSmallWall.push(l.stats.wallMs);
        const d = await dist.run(manyPlan, smallInputs);
        dSmall.push(d.stats.phases.computeMs);
        dSmallWall.push(d.stats.wallMs);
        smallJobs = d.stats.perWorker.reduce((n, w) => n + w.jobs, 0);
        sSmall.push((await single.run(manyPlan, smallInputs)).stats.phases.computeMs);
      }
    } finally {
      await single.close();
    }
    const perTask = (t) => `${((t * 1000) / tasks).toFixed(0)} µs/task`;

    // (d) kill -9 recovery: a medium run, undisturbed vs with a third worker killed half way.
    const mid = benchMlp(quick ? 256 : 1024, quick ? 512 : 2048);
    const midPlan = makePlan(mid, { devices: ["d0", "d1", "d2"], splits: rows(6) });
    const midInputs = randomInputs(mid, 5);
    const victim = await startWorker(redis.url, "victim");
    await dist.run(midPlan, midInputs);
    const calm = [];
    for (let r = 0; r < reps; r++) calm.push((await dist.run(midPlan, midInputs)).stats.wallMs);
    let killedAt = 0;
    const hit = await dist.run(midPlan, midInputs, {
      onProgress: (done, total) => {
        if (killedAt === 0 && done >= total / 2) {
          killedAt = performance.now();
          victim.child.kill("SIGKILL");
        }
      },
    });
    await victim.exited;
    const recoverMs = hit.stats.wallMs - median(calm);

    // (e) what this Redis moves by itself: the floor under every region's trip.
    const client = new Redis(redis.url);
    const value = Buffer.alloc(8 * 1024 * 1024, 1);
    const setMs = [];
    const getMs = [];
    for (let k = 0; k < 5; k++) {
      let t = performance.now();
      await client.set("tessera-bench:probe", value);
      setMs.push(performance.now() - t);
      t = performance.now();
      await client.getBuffer("tessera-bench:probe");
      getMs.push(performance.now() - t);
    }
    await client.del("tessera-bench:probe");
    client.disconnect();
    const mbps = (t) => `${(8 / 1.048576 / (t / 1000)).toFixed(0)} MB/s`;

    // (c) bytes: a Megatron cut (fc1 by columns, fc2 by its reduction) moves partial sums.
    const megatron = makePlan(mid, {
      devices: ["d0", "d1"],
      splits: { fc1: [{ dim: 1, parts: 2 }], act: [{ dim: 1, parts: 2 }], fc2: [{ dim: 2, parts: 2 }] },
    });
    const bytesStats = (await dist.run(megatron, midInputs)).stats;
    const r = bytesStats.redis;
    return {
      headings: ["measure", "local (2 threads)", "distributed (2 processes)", "ratio / note"],
      rows: [
        [
          `compute-bound MLP ${batch}×${width}→${width}→${width}, 2 devices (wall)`,
          `${ms(lm)} (${gflops(lm)})`,
          `${ms(dm)} (${gflops(dm)})`,
          `distributed at ${(lm / dm).toFixed(2)}× local speed (goal ≥ 0.8×); inputs to these workers (on the coordinator's machine) through shared memory: ${phases.shared} of ${phases.served} B; first timed run: start ${ms(phases.startMs)}, compute ${ms(phases.computeMs)} (workers busy in kernels ${phases.busy}), fetch ${ms(phases.fetchMs)}, end ${ms(phases.endMs)}`,
        ],
        [
          "the same MLP, inputs over HTTP only (`sharedMemory: false`: as to workers on other machines)",
          `${ms(lm)}`,
          `${ms(hm)} (${gflops(hm)})`,
          `${(lm / hm).toFixed(2)}× local speed; shared memory is ${(hm / dm).toFixed(2)}× faster`,
        ],
        [
          `the same MLP, inputs and outputs through Redis (\`dataPlane: "redis"\`)`,
          `${ms(lm)}`,
          `${ms(rm)} (${gflops(rm)})`,
          `${(lm / rm).toFixed(2)}× local speed; the direct data plane is ${(rm / dm).toFixed(1)}× faster`,
        ],
        [
          "the same MLP, both executors keeping inputs between runs (`keepInputs`)",
          `${ms(lk)} (${gflops(lk)})`,
          `${ms(dk)} (${gflops(dk)})`,
          `distributed at ${(lk / dk).toFixed(2)}× local speed (goal ≥ 0.8×); inputs moved per run: at most ${keptLoaded} B (${keptBytes} B kept in the workers); first timed run: start ${ms(keptPhases.startMs)}, compute ${ms(keptPhases.computeMs)} (workers busy in kernels ${keptPhases.busy}), fetch ${ms(keptPhases.fetchMs)}, end ${ms(keptPhases.endMs)}`,
        ],
        [
          'the same, distributed inputs and outputs through Redis (`dataPlane: "redis"`, `keepInputs`)',
          `${ms(lk)}`,
          `${ms(rk)} (${gflops(rk)})`,
          `${(lk / rk).toFixed(2)}× local speed: inputs are still uploaded to Redis on every run (for a worker that lacks them), workers holding them read none`,
        ],
        [
          `per-task overhead: ${tasks} small tasks (compute phase), chained (default \`maxChain\` 64)`,
          `${ms(median(lSmall))} (${perTask(median(lSmall))})`,
          `${ms(median(dSmall))} (${perTask(median(dSmall))})`,
          `${smallJobs} jobs (each device's tasks read only its own: a chain per device); kernels of a few µs; whole run ${ms(median(lSmallWall))} local, ${ms(median(dSmallWall))} distributed (its compute phase includes waiting for the queue events' connection, which the start phase no longer waits for)`,
        ],
        [
          `the same ${tasks} tasks, one job per task (\`maxChain: 1\`)`,
          `${ms(median(lSmall))} (${perTask(median(lSmall))})`,
          `${ms(median(sSmall))} (${perTask(median(sSmall))})`,
          "a queue round trip per task: what a task that cannot chain (it waits for another device) pays",
        ],
        [
          `bytes through Redis (MLP ${quick ? 256 : 1024}×${quick ? 512 : 2048}, Megatron cut, 2 devices)`,
          `derived ${bytesStats.bytesDerived} B`,
          `transfers ${r.transfersWritten} B, read ${bytesStats.bytesMoved} B`,
          `${r.transfersWritten === bytesStats.bytesDerived && bytesStats.bytesMoved === bytesStats.bytesDerived ? "equal" : "DIFFERENT"}; inputs ${r.inputsWritten} B and outputs ${r.outputsWritten} B through Redis, ${bytesStats.direct.inputsServed} B and ${bytesStats.direct.outputsReceived} B over the direct data plane; ${r.chunkedValues} values chunked (8 MiB chunks: keys, not bytes)`,
        ],
        [
          `kill -9 of 1 of 3 workers half way (MLP ${quick ? 256 : 1024}×${quick ? 512 : 2048}, 3 devices)`,
          `undisturbed ${ms(median(calm))}`,
          `with the kill ${ms(hit.stats.wallMs)}`,
          `recovery cost ${ms(recoverMs)}; lost ${hit.stats.recovery.lost.join(", ") || "nothing"}, ${hit.stats.recovery.tasksRedone} finished tasks redone`,
        ],
        [
          "Redis alone: SET / GET of one 8 MiB value (ioredis, loopback)",
          "",
          `SET ${ms(median(setMs))} (${mbps(median(setMs))}), GET ${ms(median(getMs))} (${mbps(median(getMs))})`,
          "every transfer (and, with dataPlane redis, every input and output) crosses Redis twice (written, then read)",
        ],
      ],
      notes: [
        `${mlpReps} timed runs per MLP row (${reps} for the others) after one warm-up run each, alternating local, distributed (direct), distributed (redis), distributed (direct, HTTP only), then the same three keeping inputs (separate executors: a run without \`keepInputs\` drops what its executor kept); medians.`,
        `Goal (distributed ≥ 0.8× local on the MLP): ${lm / dm >= 0.8 ? "met" : "not met"} when both copy their inputs on every run (${(lm / dm).toFixed(2)}×); ${lk / dk >= 0.8 ? "met" : "not met"} when both keep them (${(lk / dk).toFixed(2)}×); ${lk / rk >= 0.8 ? "met" : "not met"} keeping them through Redis (${(lk / rk).toFixed(2)}×).`,
        `Load average before the run (1 min): ${loadBefore.toFixed(2)} on this machine's cores; other processes may load it: compare the columns of one run, not runs with each other.`,
        "Workers and Redis share this machine's cores with the coordinator; on separate machines the transfers cross a network instead of loopback.",
        "Recovery settings: worker heartbeat 500 ms (lost after 3 missed), job lock 3 s (a worker killed inside a job is detected when it expires), stalled check every 1 s, coordinator monitor every 200 ms.",
        "2026-12-05, keepInputs: the distributed executor's workers keep a run's inputs in a bounded cache for later runs with the very same values (`docs/distributed.md`), so a kept run moves no input bytes; and three per-run costs measured with timestamps across the processes were cut: the cleanup after a successful run (closing queues, deleting keys: 5–50 ms of several round trips) goes on after the result, jobs are added without waiting for the queue events' and stalled checker's connections (about 10 ms), and the coordinator receives output blocks into the previous run's block buffers (a fresh 4 MB buffer per block brought incremental-marking GC steps of 10–17 ms into the run). Scratch measurements of the kept MLP on this machine, 6–10 runs each: 0.66× and 0.69× before the three cuts, 0.72× to 0.81× after, with the machine's load varying. Coordinators before and after the cuts side by side on the same workers (8 runs each, twice): the kept MLP 378 → 345 ms and 392 → 377 ms; the 96-task plan's whole run 75 → 79 ms and 100 → 84 ms, its compute phase 42 → 64 ms and 53 → 63 ms (it now includes waiting for the queue events' connection). Two other runs of this suite the same evening, with this code, measured the MLP at 0.60× copying inputs, 0.91× keeping them, 0.49× keeping them through Redis, and (under heavier load) 0.37×, 0.86× and 0.58×: the load other agents put on the machine moves these ratios by a tenth or more.",
        "2026-12-05, chains: a job runs a chain of a device's consecutive tasks (`maxChain`, default 64; the MLP row split is one job per device, before 3), the coordinator and workers keep their Redis clients for BullMQ across runs, queues open while a run is announced, announce and cleanup are one MULTI each, and a job reads its device's inputs before its first kernel. The previous run of this suite (loaded machine) had the MLP at 431 ms vs 166 ms local (0.39×) and 1532 µs/task; that run is not comparable with this one.",
        "Side by side on the same machine (scratch A/B, 5 runs each, old and new builds alternated twice): MLP distributed/local 0.55× and 0.56× before, 0.58× and 0.65× after; per-task overhead 972 and 893 µs/task before, 391 and 311 µs/task after (local 138–160).",
        "2026-12-06, shared memory: a worker on the coordinator's machine takes its inputs through files in /dev/shm (`docs/distributed.md`): each distinct input region is written once per run (the MLP's weights, read by both devices, were served twice), from a view of the input where it is contiguous, and written ahead for workers the coordinator knows are on its machine, while the run is announced and the jobs picked up. Timed inside the workers (scratch, idle machine): reading a device's 38 MB of inputs took 24–70 ms over HTTP, 22–45 ms through shared memory written on request, and the run's compute phase fell from 140–230 ms to 118–156 ms with the writes ahead. The copying MLP alone (one coordinator, its runs alternating with the local executor's, 5–9 runs a set): 0.57× the local speed over HTTP before; 0.79×, 0.84×, 0.84× and 0.87× in four sets after. In this suite four coordinators take turns on the same two workers. A worker also no longer drops its recycled input buffers after a run that read none (through Redis, or all kept), so the next run does not read into fresh pages. Then two round trips left the start of every run: the jobs no longer wait for the announcement's reply (commands on one connection run in the order sent, so the meta and any uploads are in Redis before the jobs; the reply is awaited after), and the run's queues on the kept connection skip BullMQ's version check (an INFO per queue; the events' own connection still checks): the start phase went from 3–25 ms to 3–13 ms in scratch runs. A worker also starts reading the inputs of the devices it was dealt as soon as it joins a run, not when its first job arrives (scratch, 9 runs: 0.80× → 0.83×). Regions under 256 KiB still go over HTTP: for the 96-task plan's tiny inputs a request, a file written and a file read cost more than one request (compute phase 43 ms through shared memory, 36 ms over HTTP, before the threshold). What remains in a copying run, timed across the processes: a worker's read of its 38 MB (11–17 ms), the coordinator's writes of 44 MB before it, the last output block and the job's completion event (2–23 ms).",
        "Copying inputs on every run over HTTP, the MLP is CPU-bound on 2 shared cores: per run the distributed executor also serves 76 MB of inputs (about 85 ms of coordinator CPU, 40–55 ms of the wall) while the local one hands buffers to its threads. With inputs kept, what remains is the cross-process hops of each run on a loaded machine: announce and dispatch through Redis, each worker's BullMQ job pickup, the output blocks over HTTP and the job's completion event.",
      ],
    };
  } finally {
    await dist?.close();
    await local.close();
    for (const w of workers) w.child.kill("SIGKILL");
    redis.stop();
  }
}
