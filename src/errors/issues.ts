import type { ConfigIssue } from "./errors.js";

/**
 * One config issue. The order is (path, rule, message) everywhere: the two strings type-check
 * either way round, so a second helper with another order would swap them without a compiler error.
 */
export function issue(path: string, rule: string, message: string): ConfigIssue {
  return { path, rule, message };
}
