/** What the bootstrap observed on this machine. */
export interface BootstrapState {
  nodeModules: boolean;
  lockHash: string | undefined;
  installedHash: string | undefined;
  /** `only: "test"`: needed by the test suite only (e.g. chromium for the browser test). */
  systemPackages: { apt: string; command: string; only?: "test" }[];
  missingCommands: string[];
  isRoot: boolean;
  isDebian: boolean;
  buildStale: boolean;
  /** What the bootstrap prepares for: running Tessera (default) or its test suite. */
  purpose?: "start" | "test";
}
/** The steps the bootstrap will take. */
export interface BootstrapPlan {
  npm: "none" | "install";
  apt: string[];
  manual: string[];
  build: boolean;
}
/** Decides the bootstrap steps from what is present. */
export function planBootstrap(state: BootstrapState): BootstrapPlan;
