import type { Rng } from "../../base/random.js";
import type { Simulator } from "../../cost/simulator.js";
import type { OperationPlan } from "../../plan/plan.js";
import { recomputedTensors } from "../../plan/recompute-plan.js";
import { gridSharding, shardCount } from "../../shard/operation-sharding.js";
import { shardGeometry } from "../../shard/shard-geometry.js";
import { type DimSplit, evenBoundaries } from "../../zspace/z-range.js";
import { acceptsSplit, shardingIfAccepted } from "../accepts-split.js";
import type { MutatorName } from "../result/search-result.js";
import { recomputeSimulator } from "./recompute-simulator.js";
import type { OpSpace, SearchSpace } from "./search-space.js";

/** A local change to a plan: a child simulator, or `undefined` when it does not apply here. */
export type Mutator = (sim: Simulator, space: SearchSpace, rng: Rng) => Simulator | undefined;

/** The mutators, by name, in the order `MutatorChoice` indexes them. */
export const MUTATORS: readonly { readonly name: MutatorName; readonly apply: Mutator }[] = [
  { name: "resplit", apply: resplit },
  { name: "move-shard", apply: moveShard },
  { name: "co-locate", apply: coLocate },
  { name: "swap-shards", apply: swapShards },
  { name: "copy-neighbour", apply: copyNeighbour },
  { name: "spread-layout", apply: spreadLayout },
  { name: "tile-twins", apply: tileTwins },
  { name: "resplit-twins", apply: resplitTwins },
];

/** The mutator that changes which activations a training step's plan recomputes. */
const RECOMPUTE: { readonly name: MutatorName; readonly apply: Mutator } = {
  name: "recompute",
  apply: toggleRecompute,
};

/**
 * The mutators of a search over `space`: `MUTATORS`, and `recompute` when the program is a
 * training step with activations to recompute (a forward program's search is unchanged, seed
 * for seed).
 */
export function mutatorsFor(
  space: SearchSpace,
): readonly { readonly name: MutatorName; readonly apply: Mutator }[] {
  return space.recomputable.length === 0 ? MUTATORS : [...MUTATORS, RECOMPUTE];
}

function pick<T>(list: readonly T[], rng: Rng): T | undefined {
  return list.length === 0 ? undefined : list[rng.int(0, list.length - 1)];
}

function opPlan(sim: Simulator, k: number): OperationPlan {
  return sim.operationPlan(k);
}

const sameSplits = (a: readonly DimSplit[], b: readonly DimSplit[]) =>
  JSON.stringify(a) === JSON.stringify(b);
const sameDevices = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Devices for `shards` new shards of `o`: dealt in order over its allowed devices (aligned with
 * every other canonically placed operation), from a random offset, at random, or next to the
 * data the shards read (see `coLocated`).
 */
function dealDevices(
  sim: Simulator,
  space: SearchSpace,
  o: OpSpace,
  splits: readonly DimSplit[],
  shards: number,
  rng: Rng,
): string[] {
  const allowed = o.allowed;
  const u = rng.next();
  if (u < 0.5) return Array.from({ length: shards }, (_, k) => allowed[k % allowed.length]!);
  if (u < 0.7) {
    const offset = rng.int(0, allowed.length - 1);
    return Array.from({ length: shards }, (_, k) => allowed[(offset + k) % allowed.length]!);
  }
  if (u < 0.8) return Array.from({ length: shards }, () => pick(allowed, rng)!);
  return (
    coLocated(sim, space, o, splits) ?? Array.from({ length: shards }, (_, k) => allowed[k % allowed.length]!)
  );
}

/** An even split made uneven: one interior cut of one split dimension moved by a random amount. */
function jitter(o: OpSpace, splits: readonly DimSplit[], rng: Rng): DimSplit[] | undefined {
  const j = rng.int(0, splits.length - 1);
  const s = splits[j]!;
  if (!("parts" in s) || s.parts < 2) return undefined;
  const start = o.op.index.start.coords[s.dim]!;
  const end = o.op.index.end.coords[s.dim]!;
  const bounds = evenBoundaries(start, end, s.parts, s.dim);
  const c = rng.int(1, bounds.length - 2);
  const lo = bounds[c - 1]! + 1;
  const hi = bounds[c + 1]! - 1;
  if (hi <= lo) return undefined;
  bounds[c] = rng.int(lo, hi);
  const out = splits.slice();
  out[j] = { dim: s.dim, cuts: bounds.slice(1, -1) };
  return acceptsSplit(o.op, out) ? out : undefined;
}

/** Re-split one operation: another candidate layout (sometimes made uneven), newly placed. */
function resplit(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.resplittable, rng) ?? -1];
  if (o === undefined) return undefined;
  const layout = pick(o.layouts(), rng)!;
  let splits: readonly DimSplit[] = layout.splits;
  if (splits.length > 0 && rng.next() < 0.15) splits = jitter(o, splits, rng) ?? splits;
  const current = opPlan(sim, o.index);
  const devices = dealDevices(sim, space, o, splits, layout.shards, rng);
  if (sameSplits(splits, current.sharding.splits) && sameDevices(devices, current.devices)) return undefined;
  return sim.withSharding(o.op.id, splits, devices);
}

/** Move one shard of one operation to another allowed device. */
function moveShard(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.movable, rng) ?? -1];
  if (o === undefined) return undefined;
  const current = opPlan(sim, o.index);
  const j = rng.int(0, current.devices.length - 1);
  const to = pick(o.allowed, rng)!;
  if (to === current.devices[j]) return undefined;
  const devices = current.devices.slice();
  devices[j] = to;
  return sim.withPlacement(o.op.id, devices, current.combineDevices);
}

/** Swap the devices of two shards of one operation. */
function swapShards(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.movable, rng) ?? -1];
  if (o === undefined) return undefined;
  const current = opPlan(sim, o.index);
  const n = current.devices.length;
  if (n < 2) return undefined;
  const a = rng.int(0, n - 1);
  const b = (a + rng.int(1, n - 1)) % n;
  if (current.devices[a] === current.devices[b]) return undefined;
  const devices = current.devices.slice();
  [devices[a], devices[b]] = [devices[b]!, devices[a]!];
  return sim.withPlacement(o.op.id, devices, current.combineDevices);
}

/**
 * Each shard of `o` (under `splits`) on the allowed device that already holds the most bytes of
 * what it reads from producers, by the current placement of their shards; `undefined` when it
 * reads nothing that operations produce.
 */
function coLocated(
  sim: Simulator,
  space: SearchSpace,
  o: OpSpace,
  splits: readonly DimSplit[],
): string[] | undefined {
  if (o.producers.length === 0) return undefined;
  const shards = shardGeometry(o.op, gridSharding(o.op, splits));
  const allowed = new Set(o.allowed);
  const held = shards.map(() => new Map<string, number>());
  for (const p of o.producers) {
    const pp = opPlan(sim, p);
    const producer = space.ops[p]!.op;
    const pshards = shardGeometry(producer, pp.sharding);
    for (const sel of o.op.inputs) {
      for (const out of producer.outputs) {
        if (out.tensor !== sel.tensor) continue;
        pshards.forEach((ps, j) => {
          // A partial sum's true owner is its combine; the shard's device is close enough here.
          const region = ps.outputs[out.name]!;
          const device = pp.devices[j]!;
          shards.forEach((s, i) => {
            const need = s.inputs[sel.name]!;
            if (need.rank !== region.rank) return;
            const n = need.intersect(region).size;
            if (n > 0) held[i]!.set(device, (held[i]!.get(device) ?? 0) + n);
          });
        });
      }
    }
  }
  let any = false;
  const devices = held.map((m, i) => {
    let best: string | undefined;
    let most = 0;
    for (const [d, n] of m) {
      if (allowed.has(d) && n > most) [best, most] = [d, n];
    }
    if (best !== undefined) any = true;
    return best ?? o.allowed[i % o.allowed.length]!;
  });
  return any ? devices : undefined;
}

/** Put an operation's shards next to the data they read (producer and consumer co-located). */
function coLocate(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.movable, rng) ?? -1];
  if (o === undefined) return undefined;
  const current = opPlan(sim, o.index);
  const devices = coLocated(sim, space, o, current.sharding.splits);
  if (devices === undefined || sameDevices(devices, current.devices)) return undefined;
  return sim.withPlacement(o.op.id, devices);
}

/**
 * `from`'s layout carried over to `to` through dimension classes: each split of `from` lands on
 * the index dimension of `to` on the same axis, with the same parts (or cuts when they fit), and
 * `from`'s devices when the shard counts agree. `undefined` when nothing carries over.
 */
function carriedLayout(
  sim: Simulator,
  space: SearchSpace,
  from: number,
  to: number,
  rng: Rng,
): { splits: DimSplit[]; devices: string[] } | undefined {
  const src = space.ops[from]!;
  const dst = space.ops[to]!;
  if (dst.pinnedSplits !== undefined) return undefined;
  const plan = opPlan(sim, from);
  const splits: DimSplit[] = [];
  for (const s of plan.sharding.splits) {
    const cls = src.classes[s.dim];
    const dim = dst.classes.findIndex((c, d) => c === cls && dst.op.index.shape.coords[d]! > 1);
    if (dim < 0 || splits.some((x) => x.dim === dim)) continue;
    const parts = "parts" in s ? s.parts : s.cuts.length + 1;
    const sameRange =
      src.op.index.start.coords[s.dim] === dst.op.index.start.coords[dim] &&
      src.op.index.end.coords[s.dim] === dst.op.index.end.coords[dim];
    splits.push("cuts" in s && sameRange ? { dim, cuts: s.cuts.slice() } : { dim, parts });
  }
  if (splits.length === 0 && plan.sharding.splits.length > 0) return undefined;
  const sharding = shardingIfAccepted(dst.op, splits);
  if (sharding === undefined) return undefined;
  const shards = shardCount(sharding);
  const allowed = new Set(dst.allowed);
  const devices =
    shards === plan.devices.length && plan.devices.every((d) => allowed.has(d))
      ? plan.devices.slice()
      : dealDevices(sim, space, dst, splits, shards, rng);
  return { splits, devices };
}

/** Give an operation the layout of one of its neighbours (carried through dimension classes). */
function copyNeighbour(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.resplittable, rng) ?? -1];
  if (o === undefined) return undefined;
  const from = pick(o.neighbours, rng);
  if (from === undefined) return undefined;
  const layout = carriedLayout(sim, space, from, o.index, rng);
  if (layout === undefined) return undefined;
  const current = opPlan(sim, o.index);
  if (sameSplits(layout.splits, current.sharding.splits) && sameDevices(layout.devices, current.devices))
    return undefined;
  return sim.withSharding(o.op.id, layout.splits, layout.devices);
}

/**
 * Spread an operation's layout over a connected region around it: breadth first through
 * neighbours, each reached operation taking the layout carried from the one that reached it,
 * up to a random number of operations. One coordinated move where single re-splits would need
 * many steps through worse plans (a whole layer switching from data to tensor parallelism).
 */
function spreadLayout(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const start = pick(space.ops, rng)!;
  const limit = rng.int(2, Math.max(2, Math.min(space.ops.length, 4 + Math.floor(space.ops.length / 4))));
  const seen = new Set([start.index]);
  const queue = [start.index];
  let child = sim;
  let changed = 0;
  while (queue.length > 0 && seen.size < limit) {
    const from = queue.shift()!;
    for (const to of space.ops[from]!.neighbours) {
      if (seen.has(to) || seen.size >= limit) continue;
      seen.add(to);
      const layout = carriedLayout(child, space, from, to, rng);
      if (layout === undefined) continue;
      const current = opPlan(child, to);
      if (sameSplits(layout.splits, current.sharding.splits) && sameDevices(layout.devices, current.devices))
        continue;
      child = child.withSharding(space.ops[to]!.op.id, layout.splits, layout.devices);
      changed++;
      queue.push(to);
    }
  }
  return changed === 0 ? undefined : child;
}

/**
 * Most pieces a whole-class move may leave a plan reading: this many times its parent's, and
 * never less than `MIN_CLASS_PIECES`. Evaluating a plan costs time and memory linear in its
 * pieces, and one layout given to every twin can make each of dozens of operations read
 * all-to-all across a 512-way grid: GPT-48 on 512 devices went from 1.9 M pieces to tens of
 * millions (gigabytes, a minute per evaluation, past any budget). Such a class-wide all-to-all
 * is refused while being derived; a single operation's re-split may still try it.
 */
const CLASS_PIECE_GROWTH = 2;
const MIN_CLASS_PIECES = 2 ** 20;

/**
 * `sim` with `splits` on `devices` given to every free twin of `o` (twins that may not run on
 * those devices get theirs dealt), and to `o` itself when `self`; `undefined` when nothing
 * changes or the plan would grow past `CLASS_PIECE_GROWTH` times its pieces.
 */
function withTwins(
  sim: Simulator,
  space: SearchSpace,
  o: OpSpace,
  splits: readonly DimSplit[],
  devices: readonly string[],
  self: boolean,
  rng: Rng,
): Simulator | undefined {
  // One step for the whole class: a reader of several twins is re-derived once.
  const plans: OperationPlan[] = [];
  for (const k of self ? [o.index, ...o.twins] : o.twins) {
    const t = space.ops[k]!;
    if (t.pinnedSplits !== undefined) continue;
    const allowed = new Set(t.allowed);
    const mine = devices.every((d) => allowed.has(d))
      ? devices.slice()
      : dealDevices(sim, space, t, splits, devices.length, rng);
    const current = opPlan(sim, k);
    if (sameSplits(splits, current.sharding.splits) && sameDevices(mine, current.devices)) continue;
    plans.push({
      op: t.op.id,
      sharding: gridSharding(t.op, splits),
      devices: mine,
      ...(current.combine === undefined ? {} : { combine: current.combine }),
    });
  }
  if (plans.length === 0) return undefined;
  const pieces = sim.pieceCount();
  const limit = Math.max(MIN_CLASS_PIECES, CLASS_PIECE_GROWTH * pieces);
  if (plans.length > 1) {
    // Twins are alike: the first one's growth times the class foretells the move's, so an
    // all-to-all class is refused after deriving one operation rather than the limit's worth.
    const one = sim.withOperationPlansWithin(plans.slice(0, 1), limit);
    if (one === undefined || pieces + (one.pieceCount() - pieces) * plans.length > limit) return undefined;
  }
  return sim.withOperationPlansWithin(plans, limit);
}

/**
 * Tile one operation's layout over its twins (the same operation in every layer): what the walk
 * learned in one block reaches the whole stack in one move, so quality does not fall with depth;
 * single-operation mutators refine layers one by one afterwards.
 */
function tileTwins(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.resplittable, rng) ?? -1];
  if (o === undefined || o.twins.length === 0) return undefined;
  const current = opPlan(sim, o.index);
  return withTwins(sim, space, o, current.sharding.splits, current.devices, false, rng);
}

/** Re-split a whole layer class at once: one candidate layout, on the same devices, for an operation and all its twins. */
function resplitTwins(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const o = space.ops[pick(space.resplittable, rng) ?? -1];
  if (o === undefined || o.twins.length === 0) return undefined;
  const layout = pick(o.layouts(), rng)!;
  const devices = dealDevices(sim, space, o, layout.splits, layout.shards, rng);
  return withTwins(sim, space, o, layout.splits, devices, true, rng);
}

/**
 * Change which activations the plan recomputes, where it pays: a plan over some device's memory
 * recomputes one more activation (a quarter of the time every cheap one: `cheapRecomputable`),
 * and a plan that fits keeps one it recomputed (saving its compute). The child runs a rewritten
 * program and is simulated from scratch, so the move is kept to those cases.
 */
function toggleRecompute(sim: Simulator, space: SearchSpace, rng: Rng): Simulator | undefined {
  const chosen = new Set(recomputedTensors(sim.plan));
  if (sim.cost().feasible) {
    const drop = pick([...chosen], rng);
    if (drop === undefined) return undefined;
    chosen.delete(drop);
  } else {
    const cheap = space.cheap.filter((t) => !chosen.has(t));
    const one = pick(
      space.recomputable.filter((t) => !chosen.has(t)),
      rng,
    );
    if (one === undefined) return undefined;
    for (const t of cheap.length > 0 && rng.next() < 0.25 ? cheap : [one]) chosen.add(t);
  }
  // In program order, so that equal sets are equal lists.
  return recomputeSimulator(
    sim,
    space.recomputable.filter((t) => chosen.has(t)),
  );
}
