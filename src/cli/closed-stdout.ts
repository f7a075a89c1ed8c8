import type { Writable } from "node:stream";

const guarded = new WeakSet<Writable>();

/**
 * Makes a closed output pipe end the process quietly with exit 0 (`tessera simulate … | head`):
 * once the reader has gone nobody wants the rest, so there is nothing to report — a Unix
 * filter's behaviour — instead of an unhandled `EPIPE` with a stack trace. Other write errors
 * are left to Node. Installs one listener per stream, however often it is called.
 */
export function endQuietlyOnClosedPipe(
  stream: Writable,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", (error: Error & { code?: string }) => {
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
      exit(0);
      return;
    }
    throw error;
  });
}
