// Program documents as tests edit them: the schema's shape, typed and mutable.
import type { ProgramBuilder } from "../../src/frontend/index.js";

/** A half-open box `[start, end)`. */
export interface RangeDoc {
  start: number[];
  end: number[];
}

/** An operand bound to a box of a tensor. */
export interface SelectionDoc {
  name: string;
  tensor: string;
  range: RangeDoc;
}

/** A stored index projection. */
export interface ProjectionDoc {
  map: { matrix: number[][]; offset: number[]; inRank?: number };
  shape: number[];
}

/** One operation, with its stored signature. */
export interface OperationDoc {
  id: string;
  kernel: string;
  params: Record<string, unknown>;
  inputs: SelectionDoc[];
  outputs: SelectionDoc[];
  index: RangeDoc;
  signature: {
    indexNames: string[];
    inputs: Record<string, ProjectionDoc>;
    outputs: Record<string, ProjectionDoc>;
    reductions: { dim: number; monoid: string }[];
    unshardable?: string;
  };
}

/** A whole program document. */
export interface ProgramDoc {
  version: number;
  kind: string;
  name?: string;
  tensors: { id: string; dtype: string; range: RangeDoc }[];
  operations: OperationDoc[];
  inputs: string[];
  outputs: string[];
}

/** A deep copy of the builder's document, to break on purpose. */
export function editable(p: ProgramBuilder): ProgramDoc {
  return JSON.parse(JSON.stringify(p.toJson())) as ProgramDoc;
}
