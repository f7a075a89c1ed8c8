/** Base layer: typed errors, validation issues as data, JSON helpers. */
export { ISSUE_CODES, type IssueCode, isIssueCode } from "./codes.js";
export { parseDocumentText, readDocumentFile } from "./document-file.js";
export {
  allocate,
  DTYPE_BYTES,
  DTYPES,
  type DType,
  isDType,
  isFloat,
  type TypedArrayFor,
  type TypedData,
  typedArrayOn,
} from "./dtype.js";
export { isTesseraError, TesseraError, throwIfIssues, ValidationError } from "./errors.js";
export { type Issue, IssueCollector, issue } from "./issue.js";
export { type Context, isJsonObject, type JsonValue, nullRecord, ownValue, pointer } from "./json.js";
export { mulberry32, type Rng, seededRng } from "./random.js";
export { readFileBytes, readTextFile } from "./read-text-file.js";
export { errorToJson, renderError, renderIssues } from "./render.js";
export { checkSchema } from "./schema-check.js";
export { type WriteTextOptions, writeFailed, writeTextFile } from "./write-text-file.js";
