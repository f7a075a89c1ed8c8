/** Seconds at a readable scale: `12.3 µs`, `4.56 ms`, `1.20 s`. */
export function formatSeconds(s: number): string {
  if (s === 0) return "0 s";
  if (s < 1e-3) return `${(s * 1e6).toPrecision(3)} µs`;
  if (s < 1) return `${(s * 1e3).toPrecision(3)} ms`;
  return `${s.toPrecision(3)} s`;
}

/** Bytes in binary units for people: `512 B`, `1.5 KiB`, `12 KiB`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = Math.abs(value) < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value).toString();
  return `${text} ${units[unit]}`;
}

/** FLOP counts with SI prefixes for people: `512 FLOP`, `1.05 MFLOP`, `3.47 GFLOP`. */
export function formatFlops(n: number): string {
  const prefixes = ["", "k", "M", "G", "T", "P", "E"];
  let k = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && k < prefixes.length - 1) {
    v /= 1000;
    k++;
  }
  return `${k === 0 ? String(v) : v.toPrecision(3)} ${prefixes[k]}FLOP`;
}

/** `n` things, singular or plural, for people: `1 shard`, `3 shards`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
