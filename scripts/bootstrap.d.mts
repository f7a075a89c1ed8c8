/** True when a source or config file is newer than the last successful build. */
export function buildIsStale(): boolean;
/** Builds dist/ with tsc and records the build time. */
export function build(): void;
