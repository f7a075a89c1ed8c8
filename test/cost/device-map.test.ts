// Which cluster device a plan device runs on, and the typed errors a user can cause: too many
// devices, mixed names, a dtype the hardware cannot run, malformed placements and orders.
import { describe, expect, it } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { createSimulator, mapDevices, simulatePlan } from "../../src/cost/index.js";
import { program } from "../../src/frontend/index.js";
import { deviceNames, makePlan } from "../../src/plan/index.js";
import { expectTesseraError } from "../zspace/expect-error.js";
import { roundCluster } from "./clusters.js";

const prog = (() => {
  const p = program("map");
  const x = p.input("x", [8, 16]);
  p.output("y", p.neg(p.relu(x, { id: "a" }), { id: "b" }));
  return p.build();
})();

describe("mapping plan devices onto a cluster", () => {
  it("keeps cluster device ids as they are", () => {
    const plan = makePlan(prog, { devices: ["node0.d5", "node0.d2"] });
    expect(mapDevices(plan, presetCluster("dgx-a100"))).toEqual({
      "node0.d5": "node0.d5",
      "node0.d2": "node0.d2",
    });
  });

  it("maps other names by position, spanning hosts in cluster order", () => {
    const cluster = presetCluster("a100-8x8");
    const mapping = mapDevices({ devices: deviceNames(10) }, cluster);
    expect(mapping.d0).toBe("node0.d0");
    expect(mapping.d7).toBe("node0.d7");
    expect(mapping.d8).toBe("node1.d0");
    // So a transfer from d7 to d8 crosses hosts.
    const plan = makePlan(prog, {
      devices: deviceNames(10),
      placement: { a: ["d7"], b: ["d8"] },
      inputs: [{ tensor: "x", device: "d7" }],
    });
    const sim = simulatePlan(plan, cluster);
    expect(sim.timeline.transfers.map((t) => [t.from, t.to, t.cls])).toEqual([["d7", "d8", "inter"]]);
    expect(sim.timeline.devices.d8).toBe("node1.d0");
  });

  it("refuses a plan with more devices than the cluster has (too_many_devices)", () => {
    const plan = makePlan(prog, { devices: deviceNames(3) });
    const error = expectTesseraError(() => createSimulator(plan, presetCluster("local")), "too_many_devices");
    expect(error.context).toEqual({ cluster: "local", expected: 2, found: 3 });
    expect(error.summary).toBe("the plan uses 3 devices but cluster 'local' has 2");
  });

  it("refuses a mix of cluster ids and other names (unmapped_device)", () => {
    const plan = makePlan(prog, { devices: ["node0.d1", "gpu7"] });
    const error = expectTesseraError(() => mapDevices(plan, presetCluster("dgx-a100")), "unmapped_device");
    expect(error.context).toEqual({ cluster: "dgx-a100", device: "gpu7", clusterDevice: "node0.d1" });
  });
});

describe("typed errors while simulating", () => {
  it("a dtype the device type has no peak rate for is unsupported_dtype, naming task and device", () => {
    const p = program("f64");
    p.output("y", p.relu(p.input("x", [4], "float64"), { id: "r" }));
    const sim = createSimulator(
      makePlan(p.build(), { devices: ["d0"] }),
      roundCluster(1, 1, { float64: false }),
    );
    const error = expectTesseraError(() => sim.cost(), "unsupported_dtype");
    expect(error.context).toEqual({ task: "r#0", dtype: "float64", device: "d0", deviceType: "g" });
  });

  it("a placement naming an unknown device or the wrong number of devices is refused", () => {
    const sim = createSimulator(makePlan(prog, { devices: deviceNames(2) }), roundCluster());
    expect(expectTesseraError(() => sim.withPlacement("a", ["d9"]), "unknown_device").context).toMatchObject({
      op: "a",
      device: "d9",
    });
    expect(
      expectTesseraError(() => sim.withPlacement("a", ["d0", "d1"]), "device_count_mismatch").context,
    ).toEqual({
      op: "a",
      expected: 1,
      found: 2,
    });
    expectTesseraError(() => sim.withPlacement("nope", ["d0"]), "plan_mismatch");
    expectTesseraError(() => sim.withSharding("a", [{ dim: 0, parts: 0 }]), "invalid_split");
  });

  it("an order that breaks a dependency is invalid_order, as for deriveTaskGraph", () => {
    const plan = { ...makePlan(prog, { devices: ["d0"] }), order: ["b#0", "a#0"] };
    const error = expectTesseraError(() => createSimulator(plan, roundCluster()), "invalid_order");
    expect(error.context).toEqual({ index: 0, task: "b#0", dependency: "a#0" });
    expectTesseraError(() => createSimulator({ ...plan, order: ["a#0"] }, roundCluster()), "invalid_order");
  });

  it("an input placed on a device the plan does not list is unknown_device", () => {
    const plan = makePlan(prog, { devices: ["d0"] });
    const bad = { ...plan, inputs: [{ tensor: "x", device: "d4" }] };
    expect(expectTesseraError(() => createSimulator(bad, roundCluster()), "unknown_device").context).toEqual({
      tensor: "x",
      device: "d4",
    });
  });
});

describe("execution order", () => {
  it("runs a device's tasks in the plan's order when it gives one", () => {
    const p = program("two");
    p.output("u", p.relu(p.input("x", [1000]), { id: "u" }));
    p.output("v", p.neg(p.input("z", [10]), { id: "v" }));
    const plan = makePlan(p.build(), { devices: ["d0"] });
    const first = (order?: string[]) =>
      simulatePlan(order === undefined ? plan : { ...plan, order }, roundCluster()).timeline.compute.map(
        (c) => c.task,
      );
    expect(first()).toEqual(["u#0", "v#0"]);
    expect(first(["v#0", "u#0"])).toEqual(["v#0", "u#0"]);
    const sim = simulatePlan({ ...plan, order: ["v#0", "u#0"] }, roundCluster());
    expect(sim.timeline.compute[1]!.start).toBe(sim.timeline.compute[0]!.end);
  });
});
