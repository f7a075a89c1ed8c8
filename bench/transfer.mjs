// How fast region bytes move between worker threads, for the local executor's choice of
// transport (`TRANSFER_MODE` in src/exec/local/region-wire.ts). One worker slices a strided box
// out of a larger float32 tensor and posts it to another worker over a MessageChannel, as the
// executor does for every derived transfer; the figure is bytes / (first send → last receipt).
//
//   npx tsc -p tsconfig.build.json && node bench/transfer.mjs [--quick]
//
// Modes: `transfer` (fresh ArrayBuffer, moved with a transfer list), `shared` (copied into a
// SharedArrayBuffer, read in place) and `clone` (fresh ArrayBuffer, structured-cloned: a second copy).
import { isMainThread, MessageChannel, parentPort, Worker, workerData } from "node:worker_threads";
import { packRegion } from "../dist/exec/local/region-wire.js";
import { zeroRegion } from "../dist/kernels/region.js";
import { ZRange } from "../dist/zspace/z-range.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const SIZES = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 16 * MiB, 64 * MiB];
const MODES = ["transfer", "shared", "clone"];
const ROW = 1024; // floats per row of the box: the source rows are twice as long, so slicing strides

/** Sender: slices `count` boxes of `bytes` bytes out of a [rows, 2·ROW] tensor and posts them. */
function send(port, { bytes, mode, count }) {
  const rows = bytes / (ROW * 4);
  const source = zeroRegion("float32", ZRange.fromShape([rows, 2 * ROW]));
  for (let i = 0; i < source.data.length; i++) source.data[i] = i % 251;
  const box = ZRange.fromBounds([0, ROW / 2], [rows, ROW / 2 + ROW]);
  for (let i = 0; i < count; i++) {
    const { wire, transferList } = packRegion(source, box, mode === "shared" ? "shared" : "transfer");
    port.postMessage(wire, mode === "clone" ? [] : transferList);
  }
}

/**
 * Receiver: reads every piece (first and last element) and reports when a job's `count` have
 * arrived. One listener for the whole run: a port with no listener drops what arrives, and the
 * next job's pieces may arrive before the message announcing it (they travel on another port).
 */
function receiver(port) {
  let seen = 0;
  let expected = Number.POSITIVE_INFINITY;
  let checksum = 0;
  const check = () => {
    if (seen < expected) return;
    parentPort.postMessage({ checksum });
    seen -= expected;
    expected = Number.POSITIVE_INFINITY;
  };
  port.on("message", (wire) => {
    checksum += wire.data[0] + wire.data[wire.data.length - 1];
    seen++;
    check();
  });
  parentPort.on("message", (job) => {
    expected = job.count;
    check();
  });
}

if (!isMainThread) {
  const { role, port } = workerData;
  if (role === "sender") parentPort.on("message", (job) => send(port, job));
  else receiver(port);
} else {
  const quick = process.argv.includes("--quick");
  const { port1, port2 } = new MessageChannel();
  const url = new URL(import.meta.url);
  const sender = new Worker(url, { workerData: { role: "sender", port: port1 }, transferList: [port1] });
  const receiver = new Worker(url, { workerData: { role: "receiver", port: port2 }, transferList: [port2] });

  const once = (bytes, mode, count) =>
    new Promise((resolve) => {
      receiver.once("message", () => resolve(performance.now() - t0));
      receiver.postMessage({ count });
      const t0 = performance.now();
      sender.postMessage({ bytes, mode, count });
    });

  const runs = quick ? 3 : 7;
  const rows = [];
  for (const bytes of SIZES) {
    // Enough pieces per run to move ~64 MiB (at least 2), so small sizes are not all latency.
    const count = Math.max(2, Math.round(((quick ? 16 : 64) * MiB) / bytes));
    const row = { size: bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB` };
    for (const mode of MODES) {
      await once(bytes, mode, count); // warm-up
      const times = [];
      for (let r = 0; r < runs; r++) times.push(await once(bytes, mode, count));
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)];
      row[mode] = Math.round((bytes * count) / 1e6 / (ms / 1000)); // MB/s, 10^6 bytes
    }
    rows.push(row);
    console.log(
      `${row.size.padStart(7)}  ${MODES.map((m) => `${m} ${String(row[m]).padStart(6)} MB/s`).join("   ")}`,
    );
  }
  const wins = MODES.map((m) => [m, rows.filter((r) => MODES.every((o) => r[m] >= r[o])).length]);
  console.log(`fastest per size: ${wins.map(([m, n]) => `${m} ${n}/${rows.length}`).join(", ")}`);
  await Promise.all([sender.terminate(), receiver.terminate()]);
}
