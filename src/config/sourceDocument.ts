import type { ConfigIssue } from "../errors/errors.js";

/** A path into a parsed document: object keys and array indexes. */
export type DocPath = ReadonlyArray<string | number>;

/** A parsed config file: its value, and where each value came from (1-based lines). */
export interface SourceDocument {
  value: unknown;
  /** The line of the value at `path`, or undefined when the path is not in the document. */
  lineOf(path: DocPath): number | undefined;
  /** Syntax errors, with lines. Non-empty means `value` is unusable. */
  errors: ConfigIssue[];
}

/** A document for a value given in code: no lines. */
export function objectDocument(value: unknown): SourceDocument {
  return { value, lineOf: () => undefined, errors: [] };
}
