/** Tessera's public API: each layer's public names, re-exported. */
export * from "./base/index.js";
export * from "./zspace/index.js";
