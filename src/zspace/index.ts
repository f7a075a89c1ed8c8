/** Z-space: immutable integer geometry values that make sharding arithmetic. */

export { decodeProjection, IndexProjection } from "./index-projection.js";
export { type TilingDefect, tiles, tilingDefect } from "./tiling.js";
export { decodeAffineMap, ZAffineMap, type ZAffineMapJson } from "./z-affine-map.js";
export { ZPoint } from "./z-point.js";
export { type DimSplit, decodeRange, evenBoundaries, gridBoxes, ZRange } from "./z-range.js";
