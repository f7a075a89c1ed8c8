// The solver outcomes a real solve cannot be made to produce on demand (a failed load, a limit
// hit with a plan in hand, an unexpected status), through a stand-in for the 'highs' package
// that runs the real solver and then reports what the test asks.
import type { Highs, ModelData, ModelStatusCode } from "highs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { presetCluster } from "../../src/cluster/index.js";
import { ilpOptimum } from "../../src/search/index.js";
import { example } from "./example-programs.js";

const control = vi.hoisted(() => ({
  fail: false,
  status: undefined as number | undefined,
  noIncumbent: false,
  loads: 0,
}));

vi.mock("highs", async (importOriginal) => {
  const real = await importOriginal<{ default: () => Promise<Highs> }>();
  const bound = <T extends object>(target: T, key: string | symbol): unknown => {
    const value: unknown = Reflect.get(target, key);
    return typeof value === "function" ? value.bind(target) : value;
  };
  return {
    default: async () => {
      control.loads++;
      if (control.fail) throw new Error("no WebAssembly here");
      const highs = await real.default();
      return new Proxy(highs, {
        get(target, key) {
          if (key !== "createModel") return bound(target, key);
          return (data: ModelData) => {
            const model = target.createModel(data);
            return new Proxy(model, {
              get(m, k) {
                if (k === "info" && control.noIncumbent) {
                  // No solution found before the stop: HiGHS reports solution status "none".
                  return {
                    get: (name: string) => (name === "primal_solution_status" ? 0 : m.info.get(name)),
                  };
                }
                if (k !== "run") return bound(m, k);
                return () => {
                  const result = m.run();
                  return {
                    ...result,
                    modelStatus: (control.status ?? result.modelStatus) as ModelStatusCode,
                  };
                };
              },
            });
          };
        },
      });
    },
  };
});

beforeEach(() => {
  control.fail = false;
  control.status = undefined;
  control.noIncumbent = false;
});

describe("ilpOptimum's solver outcomes", () => {
  // First: the runtime is cached once loaded, and a failed load must not be.
  it("reports solver_unavailable when HiGHS cannot be loaded, and retries on the next call", async () => {
    control.fail = true;
    await expect(ilpOptimum(example("mlp"), presetCluster("dgx-a100"))).rejects.toMatchObject({
      code: "solver_unavailable",
    });
    control.fail = false;
    const loads = control.loads;
    expect((await ilpOptimum(example("mlp"), presetCluster("dgx-a100"))).status).toBe("optimal");
    expect(control.loads).toBe(loads + 1);
    await ilpOptimum(example("mlp"), presetCluster("dgx-a100"));
    expect(control.loads).toBe(loads + 1);
  });

  it("returns the incumbent and the proven bound when stopped on a limit", async () => {
    control.status = 13; // time limit, after a real solve: the incumbent is the optimum
    const out = await ilpOptimum(example("mlp"), presetCluster("dgx-a100"));
    expect(out.status).toBe("time-limit");
    expect(out.plan?.name).toBe("ilp-optimum");
    expect(out.bound).toBeDefined();
    expect(out.bound!).toBeLessThanOrEqual(out.objective! * (1 + 1e-9));
  });

  it("returns no plan when stopped on a limit before finding one", async () => {
    control.status = 13;
    control.noIncumbent = true;
    const out = await ilpOptimum(example("mlp"), presetCluster("dgx-a100"));
    expect(out.status).toBe("time-limit");
    expect(out.plan).toBeUndefined();
    expect(out.bound).toBeUndefined();
  });

  it("treats any other solver status as a bug, not a result", async () => {
    control.status = 4; // solve error
    await expect(ilpOptimum(example("mlp"), presetCluster("dgx-a100"))).rejects.toThrow(/model status 4/);
  });
});
