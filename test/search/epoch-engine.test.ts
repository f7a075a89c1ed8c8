import { describe, expect, it } from "vitest";
import { buildMlp } from "../../examples/mlp.js";
import { clusterToJson, presetCluster } from "../../src/cluster/index.js";
import { programToJson } from "../../src/ir/index.js";
import { baselinePlans, clusterDevices, planChoices } from "../../src/search/index.js";
import { createEpochEngine } from "../../src/search/parallel/epoch-engine.js";
import type { SearchWorkerSetup } from "../../src/search/parallel/search-worker-protocol.js";

const program = buildMlp(64, 256, 512, 256);
const cluster = presetCluster("dgx-a100");
const devices = clusterDevices(cluster, 4);
const setup: SearchWorkerSetup = {
  program: programToJson(program),
  cluster: clusterToJson(cluster),
  pricing: "point-to-point",
  devices,
  pins: [],
  seed: 3,
  capacity: 16,
  starts: baselinePlans(program, cluster, devices.length).map((b) => planChoices(b.plan)),
};
const never = () => false;

describe("a search worker's epoch engine", () => {
  it("reports the same epochs whether they run at once or in slices that yield to the event loop", async () => {
    const whole = createEpochEngine(setup, never);
    const sliced = createEpochEngine(setup, never);
    let incoming: ReturnType<typeof whole.runEpoch>["joined"] = [];
    for (const evaluations of [150, 300]) {
      const a = whole.runEpoch({ evaluations }, incoming);
      const b = await sliced.runEpochInSlices({ evaluations }, incoming, 1);
      expect(JSON.stringify(b)).toEqual(JSON.stringify(a));
      incoming = a.joined.slice(0, 2);
    }
    expect(sliced.epochs).toBe(2);
  });

  it("refuses an epoch in slices with neither an evaluation limit nor a deadline (it would never end)", async () => {
    await expect(createEpochEngine(setup, never).runEpochInSlices({}, [], 10)).rejects.toThrow(
      "an epoch needs an evaluation limit or a deadline",
    );
  });
});
