import { program } from "../../frontend/tensor-program.js";
import type { Program } from "../../ir/program.js";

/** `length` `relu`s in a chain over `elements` float32 elements, named `relu0` …: what the calibration probes time. */
export function reluChain(name: string, length: number, elements: number): Program {
  const p = program(name);
  let x = p.input("x", [elements]);
  for (let i = 0; i < length; i++) x = p.relu(x, { id: `relu${i}` });
  p.output("y", x);
  return p.build();
}
