import { startDistributedWorker } from "../exec/distributed/distributed-worker.js";

/** Options of `tessera worker`. */
export interface WorkerCommandOptions {
  readonly redis: string;
  readonly insecure: boolean;
  readonly threads: number;
  readonly name?: string;
  readonly backend: "reference" | "onnx";
  readonly kernels: readonly string[];
  readonly heartbeatMs: number;
  /** Most MiB of program inputs kept between runs (`inputCacheBytes`). */
  readonly inputCacheMb: number;
}

/**
 * Runs a distributed worker until SIGINT or SIGTERM, then stops it cleanly: it finishes the
 * job in hand, deregisters and exits (a second signal exits at once; the coordinator then
 * recovers as from a crash). Prints one line when ready and one per run joined or ended.
 */
export async function runWorkerCommand(opts: WorkerCommandOptions, out: (s: string) => void): Promise<void> {
  const worker = await startDistributedWorker({
    redis: opts.redis,
    insecure: opts.insecure,
    threads: opts.threads,
    backend: opts.backend,
    kernelFiles: opts.kernels,
    heartbeatMs: opts.heartbeatMs,
    inputCacheBytes: opts.inputCacheMb * 1024 * 1024,
    ...(opts.name === undefined ? {} : { name: opts.name }),
    log: (line) => out(`${line}\n`),
  });
  out(`worker ${worker.name} ready at ${worker.redis} (${opts.backend} kernels, ${opts.threads} threads)\n`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      out(`${signal}: finishing the job in hand, then stopping\n`);
      worker.close().then(resolve, resolve);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}
