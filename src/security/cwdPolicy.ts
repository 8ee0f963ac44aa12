import { describeType } from "../common/guards.js";
import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { MAX_CWD_LENGTH } from "./defaults.js";

/** Checks a stdio server's `cwd`: a non-empty string, at most 500 characters, no `..` component. */
export function checkCwd(cwd: unknown): ConfigIssue[] {
  if (cwd === undefined || cwd === null) return [];
  if (typeof cwd !== "string" || cwd === "") {
    return [
      issue(
        "cwd",
        "cwd.type",
        `\`cwd\` must be a non-empty string, not ${describeType(cwd, "a list")} (rule cwd.type).`,
      ),
    ];
  }
  const issues: ConfigIssue[] = [];
  if (cwd.length > MAX_CWD_LENGTH) {
    issues.push(
      issue(
        "cwd",
        "cwd.length",
        `\`cwd\` is ${cwd.length} characters long; the limit is ${MAX_CWD_LENGTH} (rule cwd.length).`,
      ),
    );
  }
  if (cwd.includes("\0")) {
    issues.push(issue("cwd", "cwd.controlChars", "`cwd` contains a NUL character (rule cwd.controlChars)."));
  }
  if (cwd.split(/[/\\]/).includes("..")) {
    issues.push(
      issue(
        "cwd",
        "cwd.traversal",
        "`cwd` contains a '..' component (rule cwd.traversal). Use an absolute path without '..'.",
      ),
    );
  }
  return issues;
}
