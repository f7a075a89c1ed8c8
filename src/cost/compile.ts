import { TesseraError } from "../base/errors.js";
import type { InputCopyCost } from "../cluster/cluster.js";
import { type OpReads, PIECE_ASSEMBLED, PIECE_PART } from "../plan/op-reads.js";
import type { ZRange } from "../zspace/z-range.js";
import type { PlanState, SimContext } from "./context.js";
import { unionSize } from "./region-union.js";
import { sized } from "./workspace.js";

/**
 * Compiles a plan's derived state into the workspace's flat tables: tasks in derivation order
 * with their device and duration, the distinct transfers (a device receives a given region of
 * a given source once) with ids in `deriveTaskGraph`'s order, each task's incoming transfers and
 * same-device producers, the lists the schedule walks (transfers by producer, readers by
 * transfer) with the counters it counts down, the execution order and per-device sequences,
 * and the bytes of program inputs resident on each device. Linear in tasks plus pieces; no
 * allocation once the workspace has grown to the plan's size.
 */
export function compile(ctx: SimContext, state: PlanState): void {
  const ws = ctx.ws;
  const { facts } = ctx;
  const { places, prices } = state;
  const { tasks: geometries, reads } = state.traffic;
  const D = ctx.devices.length;
  const nOps = facts.program.operations.length;
  ws.D = D;
  ws.opBase = sized(ws.opBase, nOps);
  let T = 0;
  let P = 0;
  for (const k of facts.order) {
    ws.opBase[k] = T;
    T += geometries[k]!.taskIds.length;
    P += reads[k]!.srcOp.length;
  }
  ws.T = T;
  ws.taskOp = sized(ws.taskOp, T);
  ws.taskLocal = sized(ws.taskLocal, T);
  ws.taskDev = sized(ws.taskDev, T);
  ws.taskDur = sized(ws.taskDur, T);
  const S = ctx.load.states;
  if (S > 1) ws.taskDurS = sized(ws.taskDurS, T * S);
  ws.taskOut = sized(ws.taskOut, T);
  ws.taskKeep = sized(ws.taskKeep, T);
  ws.inStart = sized(ws.inStart, T + 1);
  ws.locStart = sized(ws.locStart, T + 1);
  ws.inX = sized(ws.inX, P);
  ws.locT = sized(ws.locT, P);
  ws.xFrom = sized(ws.xFrom, P);
  ws.xTo = sized(ws.xTo, P);
  ws.xCls = sized(ws.xCls, P);
  ws.xBytes = sized(ws.xBytes, P);
  ws.xProducer = sized(ws.xProducer, P);
  ws.xOp = sized(ws.xOp, P);
  ws.xPiece = sized(ws.xPiece, P);
  ws.xNext = sized(ws.xNext, P);
  ws.xRem = sized(ws.xRem, P);
  ws.consHead = sized(ws.consHead, P);
  ws.qTask = sized(ws.qTask, P);
  ws.qNext = sized(ws.qNext, P);
  ws.pending = sized(ws.pending, T);
  ws.remOut = sized(ws.remOut, T);
  ws.outHead = sized(ws.outHead, T);
  ws.outTail = sized(ws.outTail, T);
  ws.pdTensor = sized(ws.pdTensor, P);
  ws.pdDev = sized(ws.pdDev, P);
  ws.pdOp = sized(ws.pdOp, P);
  ws.pdPiece = sized(ws.pdPiece, P);
  // (key, device) pairs seen in this compile, in open-addressing tables sized by the pieces: a
  // dense key × device table grows with the interner times the devices (10⁸ slots at 512
  // devices) and clearing or allocating it cost more than the compile itself.
  const cap = tableCapacity(P);
  const mask = cap - 1;
  const stamp = ws.nextStamp();
  ws.seenStamp = sized(ws.seenStamp, cap);
  ws.seenKey = sized(ws.seenKey, cap);
  ws.seenDev = sized(ws.seenDev, cap);
  ws.seenX = sized(ws.seenX, cap);
  ws.pdStamp = sized(ws.pdStamp, cap);
  ws.pdSlotKey = sized(ws.pdSlotKey, cap);
  ws.pdSlotDev = sized(ws.pdSlotDev, cap);
  const { seenKey, seenDev, pdSlotKey, pdSlotDev } = ws;
  const { opBase, taskOp, taskLocal, taskDev, taskDur, taskOut, taskKeep, inStart, inX, locStart, locT } = ws;
  const { xFrom, xTo, xCls, xBytes, xProducer, xOp, xPiece, seenStamp, seenX, pdStamp } = ws;
  const { xNext, xRem, consHead, qTask, qNext, pending, remOut, outHead, outTail } = ws;
  let inputHead = -1;
  let inputTail = -1;
  const { home, cls, devType } = ctx;
  const { overlapping } = state;
  ws.base = sized(ws.base, D);
  const base = ws.base;
  base.fill(0, 0, D);
  const { stateLevel, stateDispatch } = ctx.load;
  const { taskDurS } = ws;
  const L = ctx.busyLevels.length;
  ws.opX = sized(ws.opX, nOps);
  ws.lastReader = sized(ws.lastReader, T);
  const { opX, lastReader } = ws;
  // Input copies on the worker before a kernel (`ExecutorOverheads.assemble`): free without the term.
  const assemble = ctx.cluster.executor?.assemble;
  // Dispatch that grows with the task's output (`ExecutorOverheads.taskDispatchPerByte`).
  const perByte = ctx.cluster.executor?.taskDispatchPerByte ?? 0;
  let homedReadPos = -1;
  let X = 0;
  let nIn = 0;
  let nLoc = 0;
  let nPd = 0;
  for (let pos = 0; pos < facts.order.length; pos++) {
    const k = facts.order[pos]!;
    opX[k] = X;
    const g = geometries[k]!;
    const r = reads[k]!;
    const place = places[k]!;
    const n = g.taskIds.length;
    const nShards = g.shards.length;
    const first = opBase[k]!;
    const seconds = prices[k]!.seconds;
    const { srcOp, srcTask, key: pieceKey, bytes: pieceBytes, copies } = r;
    for (let j = 0; j < n; j++) {
      const t = first + j;
      const dev = j < nShards ? place.shard[j]! : place.combine[j - nShards]!;
      // Alone first: a task starts at state 0's rate when its host is otherwise idle.
      const dur = seconds[(devType[dev]! * L + stateLevel[0]!) * n + j]! + stateDispatch[0]!;
      if (Number.isNaN(dur)) unsupported(ctx, g.taskIds[j]!, prices[k]!.work[j]!.dtype, dev);
      for (let s = 1; s < S; s++)
        taskDurS[t * S + s] = seconds[(devType[dev]! * L + stateLevel[s]!) * n + j]! + stateDispatch[s]!;
      if (S > 1) taskDurS[t * S] = dur;
      taskOp[t] = k;
      taskLocal[t] = j;
      taskDev[t] = dev;
      taskDur[t] = dur;
      taskOut[t] = g.outBytes[j]!;
      taskKeep[t] = g.keepsOutput[j]!;
      inStart[t] = nIn;
      locStart[t] = nLoc;
      remOut[t] = 0;
      outHead[t] = -1;
      lastReader[t] = -1;
      const end = r.start[j + 1]!;
      let copied = 0;
      for (let p = r.start[j]!; p < end; p++) {
        const so = srcOp[p]!;
        if (assemble !== undefined && copies[p] !== 0) copied += copySeconds(ctx, assemble, r, p, dev);
        let from: number;
        let producer = -1;
        if (so < 0) {
          from = home[srcTask[p]!]!;
          if (from < 0) {
            // Pre-distributed: the device holds this region from the start, once.
            const key = pieceKey[p]!;
            let slot = pairHash(key, dev) & mask;
            while (pdStamp[slot] === stamp && (pdSlotKey[slot] !== key || pdSlotDev[slot] !== dev))
              slot = (slot + 1) & mask;
            if (pdStamp[slot] !== stamp) {
              pdStamp[slot] = stamp;
              pdSlotKey[slot] = key;
              pdSlotDev[slot] = dev;
              if (overlapping[srcTask[p]!] === 0) {
                base[dev]! += pieceBytes[p]!;
                continue;
              }
              ws.pdTensor[nPd] = srcTask[p]!;
              ws.pdDev[nPd] = dev;
              ws.pdOp[nPd] = k;
              ws.pdPiece[nPd] = p;
              nPd++;
            }
            continue;
          }
          if (from === dev) continue;
          homedReadPos = pos;
        } else {
          producer = opBase[so]! + srcTask[p]!;
          lastReader[producer] = pos;
          from = taskDev[producer]!;
          if (from === dev) {
            let seen = false;
            for (let q = locStart[t]!; q < nLoc; q++) if (locT[q] === producer) seen = true;
            if (!seen) {
              locT[nLoc++] = producer;
              remOut[producer]! += 1;
            }
            continue;
          }
        }
        const key = pieceKey[p]!;
        let slot = pairHash(key, dev) & mask;
        while (seenStamp[slot] === stamp && (seenKey[slot] !== key || seenDev[slot] !== dev))
          slot = (slot + 1) & mask;
        let x: number;
        if (seenStamp[slot] === stamp) {
          x = seenX[slot]!;
        } else {
          x = X++;
          seenStamp[slot] = stamp;
          seenKey[slot] = key;
          seenDev[slot] = dev;
          seenX[slot] = x;
          xFrom[x] = from;
          xTo[x] = dev;
          xCls[x] = cls[from * D + dev]!;
          xBytes[x] = pieceBytes[p]!;
          xProducer[x] = producer;
          xOp[x] = k;
          xPiece[x] = p;
          xNext[x] = -1;
          xRem[x] = 0;
          consHead[x] = -1;
          // Append to the producer's list, keeping transfer ids ascending.
          if (producer >= 0) {
            remOut[producer]! += 1;
            if (outHead[producer]! < 0) outHead[producer] = x;
            else xNext[outTail[producer]!] = x;
            outTail[producer] = x;
          } else {
            if (inputHead < 0) inputHead = x;
            else xNext[inputTail] = x;
            inputTail = x;
          }
        }
        let seen = false;
        for (let q = inStart[t]!; q < nIn; q++) if (inX[q] === x) seen = true;
        if (!seen) {
          qTask[nIn] = t;
          qNext[nIn] = consHead[x]!;
          consHead[x] = nIn;
          xRem[x]! += 1;
          inX[nIn++] = x;
        }
      }
      pending[t] = nIn - inStart[t]!;
      // The worker's input copies and the size-dependent part of the dispatch, at every load.
      const extra = copied + taskOut[t]! * perByte;
      if (extra > 0) {
        taskDur[t]! += extra;
        if (S > 1) for (let s = 0; s < S; s++) taskDurS[t * S + s]! += extra;
      }
    }
  }
  ws.inputHead = inputHead;
  ws.homedReadPos = homedReadPos;
  inStart[T] = nIn;
  locStart[T] = nLoc;
  ws.X = X;
  ws.pdCount = nPd;
  residentInputs(ctx, state);
  sequences(ctx, state);
}

/**
 * Seconds the worker spends copying piece `p` of `reads` for a task on device `dev` before its
 * kernel (see `OpReads.copies`): one copy when the piece is written into an operand assembled
 * from several, and one more when `dev` holds the piece's whole writer region (its producer
 * runs there, or the input's home is there) and the piece is only part of it. A transferred or
 * pre-distributed piece is held as it is read. Each copy costs `latency + runs · perRun +
 * bytes / bandwidth` (`OpReads.runs`).
 */
function copySeconds(
  ctx: SimContext,
  assemble: InputCopyCost,
  reads: OpReads,
  p: number,
  dev: number,
): number {
  const c = reads.copies[p]!;
  const so = reads.srcOp[p]!;
  const holder =
    so < 0 ? ctx.home[reads.srcTask[p]!]! : ctx.ws.taskDev[ctx.ws.opBase[so]! + reads.srcTask[p]!]!;
  const cut = (c & PIECE_PART) !== 0 && holder === dev;
  const n = (c & PIECE_ASSEMBLED ? 1 : 0) + (cut ? 1 : 0);
  if (n === 0) return 0;
  const runs = (c & PIECE_ASSEMBLED ? reads.runs[2 * p]! : 0) + (cut ? reads.runs[2 * p + 1]! : 0);
  return n * (assemble.latency + reads.bytes[p]! / assemble.bandwidth) + runs * assemble.perRun;
}

/** A power of two at least twice `n` (a table of `n` entries at most half full). */
function tableCapacity(n: number): number {
  let cap = 16;
  while (cap < 2 * n) cap *= 2;
  return cap;
}

/** Mixes an interned key and a device into a table position (before masking). */
function pairHash(key: number, dev: number): number {
  const h = Math.imul(key, 0x9e3779b1) ^ Math.imul(dev + 1, 0x85ebca77);
  return h ^ (h >>> 15);
}

function unsupported(ctx: SimContext, task: string, dtype: string, dev: number): never {
  const device = ctx.devices[dev]!;
  const type = ctx.cluster.devices.find((d) => d.id === ctx.clusterIds[dev])!.type;
  throw new TesseraError(
    "unsupported_dtype",
    `task '${task}' computes in ${dtype}, but device '${device}' (${type}) has no peak FLOP/s for ${dtype}`,
    { task, dtype, device, deviceType: type },
  );
}

/**
 * Adds the bytes of program inputs each device holds for the whole run: whole at home, and
 * where pre-distributed the union of the regions it reads (the compile loop already added the
 * inputs whose distinct regions never overlap).
 */
function residentInputs(ctx: SimContext, state: PlanState): void {
  const ws = ctx.ws;
  const { facts } = ctx;
  const D = ws.D;
  for (const tensor of facts.program.inputs) {
    const t = facts.tensorIndex.get(tensor)!;
    const h = ctx.home[t]!;
    if (h >= 0) ws.base[h]! += facts.tensorBytes[t]!;
  }
  // Regions of one tensor on one device may overlap (halos, broadcast operands): count the union.
  let groups: Map<number, ZRange[]> | undefined;
  for (let i = 0; i < ws.pdCount; i++) {
    const slot = ws.pdTensor[i]! * D + ws.pdDev[i]!;
    const region = state.traffic.reads[ws.pdOp[i]!]!.info[ws.pdPiece[i]!]!.region;
    groups ??= new Map();
    const list = groups.get(slot);
    if (list === undefined) groups.set(slot, [region]);
    else list.push(region);
  }
  if (groups === undefined) return;
  for (const [slot, regions] of groups) {
    const t = Math.floor(slot / D);
    ws.base[slot % D]! +=
      (regions.length === 1 ? regions[0]!.size : unionSize(regions)) * facts.elementBytes[t]!;
  }
}

/** The execution order and, per device, its tasks in that order. */
function sequences(ctx: SimContext, state: PlanState): void {
  const ws = ctx.ws;
  const { T, D } = ws;
  ws.seq = sized(ws.seq, T);
  ws.devSeq = sized(ws.devSeq, T);
  ws.devStart = sized(ws.devStart, D + 1);
  const { seq, devSeq, devStart, taskDev } = ws;
  if (state.order === null) for (let i = 0; i < T; i++) seq[i] = i;
  else seq.set(state.order);
  devStart.fill(0, 0, D + 1);
  for (let i = 0; i < T; i++) devStart[taskDev[i]! + 1]! += 1;
  for (let d = 0; d < D; d++) devStart[d + 1]! += devStart[d]!;
  ws.devCursor = sized(ws.devCursor, D);
  const cursor = ws.devCursor;
  cursor.set(devStart.subarray(0, D));
  for (let i = 0; i < T; i++) {
    const t = seq[i]!;
    const d = taskDev[t]!;
    devSeq[cursor[d]!] = t;
    cursor[d]! += 1;
  }
}
