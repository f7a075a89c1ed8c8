#!/usr/bin/env node
// Installs whatever is missing, then builds: npm dependencies when node_modules is absent or
// stale, system packages (apt, as root on Debian) listed in package.json "tessera.systemPackages",
// and the TypeScript build when any source is newer than the last build. Idempotent and quiet
// when there is nothing to do, so `npm start` and `npm test` can always run it first.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { planBootstrap } from "./bootstrap-plan.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const stampPath = join(root, "node_modules", ".tessera-install-stamp");
const buildStamp = join(root, "dist", ".build-stamp");

function log(msg) {
  process.stderr.write(`bootstrap: ${msg}\n`);
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    log(
      `'${cmd} ${args.join(" ")}' failed (exit ${r.status ?? r.signal}); fix the error above and run again`,
    );
    process.exit(1);
  }
}

function hashOf(path) {
  return existsSync(path) ? createHash("sha256").update(readFileSync(path)).digest("hex") : undefined;
}

function hasCommand(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** A system package is present when its `check` (a shell command) succeeds, else when its command is on PATH. */
function isPresent(p) {
  if (p.check !== undefined) return spawnSync("sh", ["-c", p.check], { stdio: "ignore" }).status === 0;
  return hasCommand(p.command);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** True when a source or config file is newer than the last successful build. */
export function buildIsStale() {
  if (!existsSync(buildStamp)) return true;
  const built = statSync(buildStamp).mtimeMs;
  const configs = ["tsconfig.json", "tsconfig.build.json"].map((f) => statSync(join(root, f)).mtimeMs);
  return Math.max(newestMtime(join(root, "src")), ...configs) > built;
}

/** Builds dist/ with tsc and records the build time. */
export function build() {
  log("building TypeScript into dist/");
  run(process.execPath, [
    join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    "tsconfig.build.json",
  ]);
  writeFileSync(buildStamp, `${new Date().toISOString()}\n`);
}

function main() {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const systemPackages = pkg.tessera?.systemPackages ?? [];
  const lockHash = hashOf(join(root, "package-lock.json"));
  const state = {
    nodeModules: existsSync(join(root, "node_modules")),
    lockHash,
    installedHash: existsSync(stampPath) ? readFileSync(stampPath, "utf8").trim() : undefined,
    systemPackages,
    missingCommands: systemPackages.filter((p) => !isPresent(p)).map((p) => p.command),
    isRoot: typeof process.getuid === "function" && process.getuid() === 0,
    isDebian: existsSync("/etc/debian_version"),
    buildStale: existsSync(join(root, "dist")) ? buildIsStale() : true,
    purpose: process.argv.includes("--for-test") ? "test" : "start",
  };
  const plan = planBootstrap(state);
  if (plan.manual.length > 0) {
    log(`missing system packages: ${plan.manual.join(", ")}`);
    log(
      "install them with your package manager (on Debian/Ubuntu, as root: apt-get install -y " +
        plan.manual.join(" ") +
        ")",
    );
    process.exit(1);
  }
  if (plan.npm !== "none") {
    log("installing npm dependencies (npm install)");
    // onnxruntime-node would otherwise try to download CUDA binaries from outside the registry.
    run("npm", ["install", "--no-audit", "--no-fund"], { ONNXRUNTIME_NODE_INSTALL: "skip" });
    writeFileSync(stampPath, `${hashOf(join(root, "package-lock.json")) ?? ""}\n`);
  }
  if (plan.apt.length > 0) {
    log(`installing system packages: ${plan.apt.join(", ")}`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...plan.apt], {
      DEBIAN_FRONTEND: "noninteractive",
    });
  }
  if (plan.build) build();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--build`: build now and record it (what `npm run build` does), so bin/tessera does not rebuild.
  if (process.argv.includes("--build")) build();
  else main();
}
