/** What the bootstrap observed on this machine. */
export interface BootstrapState {
  nodeModules: boolean;
  lockHash: string | undefined;
  installedHash: string | undefined;
  systemPackages: { apt: string; command: string }[];
  missingCommands: string[];
  isRoot: boolean;
  isDebian: boolean;
  buildStale: boolean;
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
