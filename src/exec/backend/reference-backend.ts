import { StatsRecorder } from "./backend-stats.js";
import type { KernelBackend } from "./kernel-backend.js";

/** The backend that runs every kernel's own reference implementation: the ground truth. */
export function createReferenceBackend(): KernelBackend {
  const stats = new StatsRecorder();
  return {
    name: "reference",
    run: async (def, ctx) => {
      const out = def.impl(ctx);
      stats.reference(def.id);
      return out;
    },
    stats: () => stats.snapshot(),
    dispose: async () => {},
  };
}
