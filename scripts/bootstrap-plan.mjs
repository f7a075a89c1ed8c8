// Pure decisions of the bootstrap: what must be installed or built, given what is present.
// Kept free of side effects so that it can be tested (test/cli/bootstrap.test.ts).

/**
 * Decides the bootstrap steps.
 * @param {{
 *   nodeModules: boolean,          // node_modules exists
 *   lockHash: string | undefined,  // hash of package-lock.json (undefined without a lock file)
 *   installedHash: string | undefined, // hash recorded by the last successful install
 *   systemPackages: { apt: string, command: string, check?: string, only?: "test" }[],
 *   purpose?: "start" | "test",    // what the bootstrap prepares for (default "start")
 *   missingCommands: string[],     // commands of systemPackages not found on PATH (or whose check failed)
 *   isRoot: boolean,
 *   isDebian: boolean,
 *   buildStale: boolean,           // some src file is newer than the last build
 * }} state
 * @returns {{ npm: "none" | "install", apt: string[], manual: string[], build: boolean }}
 */
export function planBootstrap(state) {
  // `npm install` rather than `npm ci`: with `omit-lockfile-registry-resolved` (set on our
  // machines) npm leaves other platforms' optional packages out of the lock file and `npm ci`
  // then refuses it; `npm install` honours the lock file all the same.
  const stale =
    !state.nodeModules || state.installedHash === undefined || state.installedHash !== state.lockHash;
  const npm = stale ? "install" : "none";
  // A package marked `only: "test"` (chromium, for the one browser test) is not needed to run
  // Tessera: `npm start` neither installs it nor fails for want of it.
  const purpose = state.purpose ?? "start";
  const missing = state.systemPackages.filter(
    (p) => state.missingCommands.includes(p.command) && (p.only === undefined || p.only === purpose),
  );
  const canApt = state.isRoot && state.isDebian;
  return {
    npm,
    apt: canApt ? missing.map((p) => p.apt) : [],
    manual: canApt ? [] : missing.map((p) => p.apt),
    build: npm !== "none" || state.buildStale,
  };
}
