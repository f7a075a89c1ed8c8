/** The public API report's markdown: every name each package entry point exports, with its kind. */
export function apiReport(): string;
/** The checked-in report, docs/api-report.md. */
export function checkedInReport(): string;
