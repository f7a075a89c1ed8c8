/** ONNX import: models in the ONNX format translated into validated Tessera programs. */

export {
  type ImportedModel,
  type ImportOptions,
  importOnnx,
  importOnnxModel,
  type RecognisedPattern,
} from "./import-onnx.js";
export { decodeOnnxModel, type OnnxModel } from "./onnx-model.js";
export { MODEL_PROTO } from "./onnx-schema.js";
export { TRANSLATIONS } from "./translations.js";
