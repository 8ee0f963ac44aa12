import type { Node as JsonNode, ParseError } from "jsonc-parser";
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from "jsonc-parser";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";

import type { ConfigIssue } from "../errors/errors.js";
import { MAX_YAML_ALIAS_COUNT } from "./defaults.js";

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

/** JSON with comments and trailing commas, as VS Code and Cursor write `mcp.json`. */
export function parseJsonDocument(text: string, file?: string): SourceDocument {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const lineStarts = computeLineStarts(text);
  const lineAt = (offset: number) => lineOfOffset(lineStarts, offset);
  return {
    value: root ? toPlain(getNodeValue(root)) : undefined,
    lineOf(path) {
      if (!root) return undefined;
      const node: JsonNode | undefined = findNodeAtLocation(root, [...path]);
      // For a property value, point at its key: that is the line a reader looks for.
      const target = node?.parent?.type === "property" ? node.parent : node;
      return target ? lineAt(target.offset) : undefined;
    },
    errors: errors.map((error) => ({
      path: "",
      message: `JSON syntax error: ${printParseErrorCode(error.error)}`,
      rule: "config.syntax",
      line: lineAt(error.offset),
      ...(file === undefined ? {} : { file }),
    })),
  };
}

/** YAML (MassGen's config format); JSON is valid YAML too. */
export function parseYamlDocument(text: string, file?: string): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return {
    value: doc.errors.length === 0 ? doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) : undefined,
    lineOf(path) {
      // For a map entry, point at its key (as for JSON): a nested map's value starts a line below.
      const last = path[path.length - 1];
      const parent = typeof last === "string" ? doc.getIn([...path.slice(0, -1)], true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === last);
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return lineCounter.linePos(range[0]).line;
      }
      const node = doc.getIn([...path], true) as { range?: [number, number, number] } | undefined;
      return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    },
    errors: doc.errors.map((error) => ({
      path: "",
      message: `YAML syntax error: ${error.message.split("\n")[0]}`,
      rule: "config.syntax",
      line: lineCounter.linePos(error.pos[0]).line,
      ...(file === undefined ? {} : { file }),
    })),
  };
}

/** A document for a value given in code: no lines. */
export function objectDocument(value: unknown): SourceDocument {
  return { value, lineOf: () => undefined, errors: [] };
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineOfOffset(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** jsonc-parser builds null-prototype objects; give them a normal prototype. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
