/** Tessera's public API: each layer's public names, re-exported. */
export * from "./base/index.js";
export * from "./cluster/index.js";
export * from "./cost/index.js";
export * from "./exec/index.js";
export * from "./export/index.js";
export * from "./frontend/index.js";
export * from "./ir/index.js";
export * from "./kernels/index.js";
export * from "./plan/index.js";
export * from "./report/index.js";
export * from "./search/index.js";
export * from "./shard/index.js";
export * from "./zspace/index.js";
