import { describe, expect, it } from "vitest";
import { type BootstrapState, planBootstrap } from "../../scripts/bootstrap-plan.mjs";

const fresh: BootstrapState = {
  nodeModules: true,
  lockHash: "abc",
  installedHash: "abc",
  systemPackages: [{ apt: "redis-server", command: "redis-server" }],
  missingCommands: [],
  isRoot: true,
  isDebian: true,
  buildStale: false,
};

describe("bootstrap decisions", () => {
  it("does nothing when dependencies match the lock file, tools exist and the build is current", () => {
    expect(planBootstrap(fresh)).toEqual({ npm: "none", apt: [], manual: [], build: false });
  });

  it("installs npm dependencies when node_modules is absent", () => {
    expect(planBootstrap({ ...fresh, nodeModules: false }).npm).toBe("install");
  });

  it("reinstalls when the lock file changed since the last install, then rebuilds", () => {
    const plan = planBootstrap({ ...fresh, installedHash: "old" });
    expect(plan.npm).toBe("install");
    expect(plan.build).toBe(true);
  });

  it("installs when there is no lock file or no record of a previous install", () => {
    expect(planBootstrap({ ...fresh, lockHash: undefined, installedHash: undefined }).npm).toBe("install");
    expect(planBootstrap({ ...fresh, installedHash: undefined }).npm).toBe("install");
  });

  it("installs missing system packages with apt as root on Debian", () => {
    const plan = planBootstrap({ ...fresh, missingCommands: ["redis-server"] });
    expect(plan.apt).toEqual(["redis-server"]);
    expect(plan.manual).toEqual([]);
  });

  it("asks the user to install missing system packages when it cannot (not root, or not Debian)", () => {
    expect(planBootstrap({ ...fresh, missingCommands: ["redis-server"], isRoot: false }).manual).toEqual([
      "redis-server",
    ]);
    expect(planBootstrap({ ...fresh, missingCommands: ["redis-server"], isDebian: false }).apt).toEqual([]);
  });

  it("rebuilds when a source file is newer than the build", () => {
    expect(planBootstrap({ ...fresh, buildStale: true }).build).toBe(true);
  });
});
