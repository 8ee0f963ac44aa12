/** The first reason `root`/dist/ is stale, or undefined when it is up to date. */
export function staleness(root: string): string | undefined;
