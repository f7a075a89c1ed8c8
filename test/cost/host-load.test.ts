// The load states of a host: which busy level and dispatch term price a task while k devices of
// its host compute, and which hosts hold which devices.
import { describe, expect, it } from "vitest";
import { hostLoad } from "../../src/cost/host-load.js";

const executor = {
  kind: "local" as const,
  runStart: 0,
  runStartPerTask: 0,
  load: { bandwidth: 1e9, latency: 0 },
  taskDispatch: 1e-4,
  taskDispatchBusy: 1.5e-4,
  fetch: { bandwidth: 1e9, latency: 0 },
  runEnd: 0,
};

describe("host load states", () => {
  it("has one state without busy-level tables or executor terms: durations never change", () => {
    const load = hostLoad(Int32Array.from([0, 0, 1, 1]), 2, [Number.POSITIVE_INFINITY], undefined);
    expect(load.states).toBe(1);
    expect([...load.stateOfCount]).toEqual([0, 0, 0]);
  });

  it("prices k busy devices at the smallest level at least k, with the shared dispatch from two on", () => {
    const levels = [1, 2, Number.POSITIVE_INFINITY];
    const load = hostLoad(Int32Array.from([0, 0, 0, 0]), 1, levels, executor);
    // k = 1: level 1, dispatch alone; k = 2: level 2, shared; k = 3, 4: all busy, shared.
    expect([...load.stateOfCount.subarray(1)]).toEqual([0, 1, 2, 2]);
    expect([...load.stateLevel]).toEqual([0, 1, 2]);
    expect([...load.stateDispatch]).toEqual([1e-4, 1.5e-4, 1.5e-4]);
  });

  it("separates loads by the dispatch term alone when there are no busy-level tables", () => {
    const load = hostLoad(Int32Array.from([0, 0]), 1, [Number.POSITIVE_INFINITY], executor);
    expect(load.states).toBe(2);
    expect([...load.stateDispatch]).toEqual([1e-4, 1.5e-4]);
  });

  it("lists each host's devices", () => {
    const load = hostLoad(Int32Array.from([1, 0, 1, 2]), 3, [Number.POSITIVE_INFINITY], undefined);
    expect([...load.hostDevStart]).toEqual([0, 1, 3, 4]);
    expect([...load.hostDevs]).toEqual([1, 0, 2, 3]);
  });
});
