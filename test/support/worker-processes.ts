import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/tessera", import.meta.url));

/** A `tessera worker` child process. */
export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code (or signal) once it has exited. */
  readonly exited: Promise<number | string>;
  /** Sends `signal` (SIGKILL: kill -9) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `tessera worker --redis URL --name NAME [extra]` as a child process and waits until
 * it says it is ready (rejects if it exits first or is not ready within 60 s: a failure, never
 * a skip).
 */
export async function startWorkerProcess(
  redis: string,
  name: string,
  extra: readonly string[] = [],
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [bin, "worker", "--redis", redis, "--name", name, ...extra], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (d) => {
    text += String(d);
  });
  child.stderr?.on("data", (d) => {
    text += String(d);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "?"));
  });
  const until = Date.now() + 60_000;
  while (!text.includes(" ready at ")) {
    const gone = await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 50)),
    ]);
    if (gone) throw new Error(`tessera worker ${name} exited before it was ready:\n${text}`);
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`tessera worker ${name} was not ready within 60 s:\n${text}`);
    }
  }
  return {
    name,
    child,
    output: () => text,
    exited,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
