import { readFileSync } from "node:fs";
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

  it("npm start neither installs nor requires a test-only package (chromium); npm test does", () => {
    const chromium = { apt: "chromium", command: "chromium", only: "test" as const };
    const lacking = { ...fresh, systemPackages: [chromium], missingCommands: ["chromium"] };
    expect(planBootstrap({ ...lacking, isRoot: false, purpose: "start" })).toMatchObject({
      apt: [],
      manual: [],
    });
    expect(planBootstrap({ ...lacking, isRoot: false, purpose: "test" }).manual).toEqual(["chromium"]);
    expect(planBootstrap({ ...lacking, purpose: "test" }).apt).toEqual(["chromium"]);
  });

  it("package.json marks chromium test-only and npm test bootstraps for tests", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
      tessera: { systemPackages: { apt: string; only?: string }[] };
    };
    expect(pkg.tessera.systemPackages.find((p) => p.apt === "chromium")?.only).toBe("test");
    expect(pkg.scripts.test).toContain("bootstrap.mjs --for-test");
    expect(pkg.scripts.start).not.toContain("--for-test");
  });

  it("npm run build builds through the bootstrap, which writes the build stamp", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe("node scripts/bootstrap.mjs --build");
    const script = readFileSync("scripts/bootstrap.mjs", "utf8");
    expect(script).toMatch(/if \(process\.argv\.includes\("--build"\)\) build\(\);/);
    expect(script).toMatch(/writeFileSync\(buildStamp/);
  });

  it("rebuilds when a source file is newer than the build", () => {
    expect(planBootstrap({ ...fresh, buildStale: true }).build).toBe(true);
  });
});
