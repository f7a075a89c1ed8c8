/** Pictures and reports: operation graphs and sharded plans as Graphviz DOT and SVG, shard maps. */
export { type CriticalItem, type CriticalLink, criticalPath } from "./critical-path.js";
export { type DeviceColour, deviceColour, devicePalette } from "./device-palette.js";
export { type PlanDotOptions, planToDot, taskNodeId } from "./plan-dot.js";
export { opNodeId, type ProgramDotOptions, programToDot, tensorNodeId } from "./program-dot.js";
export { renderSvg } from "./render-svg.js";
export { findRepeatedBlocks, type RepeatedBlock, type RepeatedBlockOptions } from "./repeated-blocks.js";
export { type ShardMapOptions, shardMapSvg } from "./shard-map.js";
export { type HeldRegion, type ReadRegion, type TensorShares, tensorShares } from "./tensor-shares.js";
export { type MeasuredInterval, type TimelineSvgOptions, timelineSvg } from "./timeline-svg.js";
export { formatBytes, formatSeconds } from "./units.js";
