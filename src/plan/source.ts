/** Where data comes from: an output of a task, or a program input. */
export type Source =
  | { readonly kind: "task"; readonly task: string; readonly output: string }
  | { readonly kind: "input"; readonly tensor: string };

/**
 * A source's identity as a string: `t:task:output` for a task output, `i:tensor` for a program
 * input. The one key format of the traffic core, the simulator and the executors' region stores.
 */
export function sourceKey(s: Source): string {
  return s.kind === "task" ? `t:${s.task}:${s.output}` : `i:${s.tensor}`;
}
