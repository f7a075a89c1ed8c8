/**
 * A transfer probe worker: one of a ring of threads that move regions to their next neighbour
 * the way the local executor's workers do (a box sliced out of a larger tensor, copied into a
 * fresh buffer, moved over a `MessagePort` with a transfer list), and tell the main thread
 * when all the pieces they expected have arrived.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type Region, zeroRegion } from "../../kernels/region.js";
import { ZRange } from "../../zspace/z-range.js";
import { packRegion } from "../local/region-wire.js";
import type { JobArrived, ProbePiece, ProbeWorkerInit, SendJob } from "./probe-messages.js";

const init = workerData as ProbeWorkerInit;
const main = parentPort!;
// Floats per row of a sent box; the source rows are twice as long, so the sender's copy strides.
const ROW = 256;

/** Pieces that arrived per job, and the job's expected count once announced. */
const arrived = new Map<number, number>();
const expected = new Map<number, number>();
/** Every received piece is read (first and last value), as a consumer would. */
let checksum = 0;

function report(job: number): void {
  const want = expected.get(job);
  if (want === undefined || (arrived.get(job) ?? 0) < want) return;
  arrived.delete(job);
  expected.delete(job);
  main.postMessage({ type: "arrived", job, index: init.index, checksum } satisfies JobArrived);
}

const sources = new Map<number, { region: Region; box: ZRange }>();

/** A source tensor whose strided box of `bytes` bytes (float32) is what gets sent; made once per size, outside the timing. */
function source(bytes: number): { region: Region; box: ZRange } {
  let made = sources.get(bytes);
  if (made === undefined) {
    made = makeSource(bytes);
    sources.set(bytes, made);
  }
  return made;
}

function makeSource(bytes: number): { region: Region; box: ZRange } {
  const elements = Math.max(1, Math.round(bytes / 4));
  const width = Math.min(ROW, elements);
  const rows = Math.ceil(elements / width);
  const region = zeroRegion("float32", ZRange.fromShape([rows, 2 * width]));
  for (let i = 0; i < region.data.length; i++) region.data[i] = i % 251;
  const at = Math.floor(width / 2);
  return { region, box: ZRange.fromBounds([0, at], [rows, at + width]) };
}

// Pieces may arrive before the main thread's message announcing their job (other port): count them anyway.
init.previous.on("message", (piece: ProbePiece) => {
  const data = piece.region.data;
  checksum += data[0]! + data[data.length - 1]!;
  arrived.set(piece.job, (arrived.get(piece.job) ?? 0) + 1);
  report(piece.job);
});

main.on("message", (job: SendJob) => {
  expected.set(job.job, job.receives);
  if (job.sends) {
    const { region, box } = source(job.bytes);
    for (let i = 0; i < job.count; i++) {
      const { wire, transferList } = packRegion(region, box);
      init.next.postMessage({ job: job.job, region: wire } satisfies ProbePiece, transferList);
    }
  }
  report(job.job);
});
