/** Pictures and reports: graphs and sharded plans (DOT, SVG), shard maps, timelines, Pareto plots, HTML reports. */

export { findRepeatedBlocks, type RepeatedBlock, type RepeatedBlockOptions } from "../ir/repeated-blocks.js";
export { type CriticalItem, type CriticalLink, criticalPath } from "./critical-path.js";
export { type DeviceColour, deviceColour, devicePalette } from "./device-palette.js";
export { featuredTensor } from "./featured-tensor.js";
export {
  DEFAULT_PICTURE_BUDGET,
  type HtmlReportOptions,
  htmlReport,
  type PlanOnCluster,
  type ReportInput,
  writeHtmlReport,
} from "./html-report.js";
export { inlineSvg } from "./inline-svg.js";
export { largestPeak, MEMORY_KIND_LABEL, memorySplitText, showsMemoryKinds } from "./memory-split.js";
export {
  type ParetoPoint,
  type ParetoSvgOptions,
  paretoSvg,
  pointSummary,
  trafficColour,
  trafficOf,
} from "./pareto-svg.js";
export { type PlanDotOptions, planToDot, taskNodeId } from "./plan-dot.js";
export {
  deviceList,
  explainPlan,
  type OperationExplanation,
  type PlanExplainer,
  type PlanExplanation,
  planExplainer,
} from "./plan-explanation.js";
export {
  operationNodeId,
  type PlanOperationsDotOptions,
  planOperationsToDot,
} from "./plan-operations-dot.js";
export { type AxisUnit, axisFraction, formatAxisValue, type PlotAxis, plotAxis } from "./plot-axis.js";
export { opNodeId, type ProgramDotOptions, programToDot, tensorNodeId } from "./program-dot.js";
export { renderSvg } from "./render-svg.js";
export { type ShardMapOptions, shardMapSvg } from "./shard-map.js";
export { type HeldRegion, type ReadRegion, type TensorShares, tensorShares } from "./tensor-shares.js";
export { type MeasuredInterval, type TimelineSvgOptions, timelineSvg } from "./timeline-svg.js";
export { formatBytes, formatFlops, formatSeconds } from "./units.js";
