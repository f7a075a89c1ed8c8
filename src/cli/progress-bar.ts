/** A progress bar on a terminal stream; silent when the stream is not a terminal (logs, CI). */
export interface ProgressBar {
  /** Redraws at `done` of `total`, with an optional note after the count. */
  update(done: number, total: number, note?: string): void;
  /** Clears the bar (when one was drawn). */
  done(): void;
}

/** A progress bar labelled `label`, redrawn at most every 100 ms on `stream`. */
export function progressBar(label: string, stream: NodeJS.WriteStream): ProgressBar {
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(done, total, note) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const tail = note === undefined ? "" : `  ${note}`;
      stream.write(
        `\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${tail}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (tty && drawn) stream.write("\r\x1b[K");
    },
  };
}
