import type { ImportContext } from "./import-context.js";
import type { OnnxNode } from "./onnx-model.js";
import type { OnnxValue } from "./onnx-value.js";

/**
 * How one ONNX operator becomes program operations: given its node, returns the value of its
 * first output (further outputs, such as MaxPool's indices, are not produced). A translation
 * throws `unsupported_onnx_feature` for an attribute value it does not handle.
 */
export type Translation = (node: OnnxNode, ctx: ImportContext) => OnnxValue;
