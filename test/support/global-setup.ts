// Runs once before the suite: rebuild dist/ when a source changed, because worker threads run
// the compiled worker (see src/base/worker-launch.ts) and must run today's code.
import { build, buildIsStale } from "../../scripts/bootstrap.mjs";

/** Vitest global setup: make dist/ current. */
export default function setup(): void {
  if (buildIsStale()) build();
}
