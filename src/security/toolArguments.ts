/**
 * The check every tool call's arguments pass before anything is sent (`security.tool_arguments`). It runs on every call, so it is one walk over the value: no
 * `JSON.stringify` of the whole value and no regular expressions per value. The size is the exact
 * UTF-8 length of the JSON the arguments serialise to, counted during the walk, so an oversized
 * input is refused as soon as the limit is passed.
 *
 * Fixes over MassGen: size counts UTF-8 bytes of real JSON (not an estimate in characters), odd
 * values are refused instead of stringified, cycles are refused, and the error names the rule,
 * the limit and the setting that raises it, never the argument values.
 */
import { isPlainObject } from "../common/guards.js";
import { renderKeyPath } from "../common/keyPath.js";
import { MCPValidationError } from "../errors/errors.js";
import type { ToolArgumentLimits } from "./types.js";

/** Which call the arguments belong to, for the error message. */
export interface ToolCallSite {
  serverName?: string | undefined;
  toolName: string;
}

type Rule =
  | "toolArgs.type"
  | "toolArgs.depth"
  | "toolArgs.keys"
  | "toolArgs.items"
  | "toolArgs.string"
  | "toolArgs.size"
  | "toolArgs.value";

const SETTING: Partial<Record<Rule, string>> = {
  "toolArgs.depth": "security.tool_arguments.max_depth",
  "toolArgs.keys": "security.tool_arguments.max_keys",
  "toolArgs.items": "security.tool_arguments.max_items",
  "toolArgs.string": "security.tool_arguments.max_string_length",
  "toolArgs.size": "security.tool_arguments.max_size",
};

/** Longest argument name shown in full in an error's `field`; names come from the model. */
const MAX_SHOWN_ARGUMENT_KEY_LENGTH = 64;
/** Strings at least this long are measured natively when nothing in them needs escaping. */
const LONG_STRING = 256;
/** Code units `JSON.stringify` escapes: controls, quote, backslash, and (possibly lone) surrogates. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * Checks a tool call's arguments against the limits and returns a plain JSON copy of them
 * (`undefined` becomes `{}`; `Date`s become ISO strings; properties whose value is `undefined`
 * are dropped, and `undefined` array items become `null`, as `JSON.stringify` does).
 *
 * Depth: the top-level object is depth 0 and a value at a depth above `maxDepth` is refused.
 * Strings are measured in UTF-16 code units; `maxSize` in UTF-8 bytes of the JSON text.
 *
 * @throws MCPValidationError with `code: "POLICY_VIOLATION"`, `rule` (`toolArgs.type`, `.depth`,
 *   `.keys`, `.items`, `.string`, `.size`, `.value`) and `field` (`arguments.items[3].name`).
 */
export function checkToolArguments(
  args: unknown,
  limits: ToolArgumentLimits,
  where: ToolCallSite,
): Record<string, unknown> {
  if (args === undefined) return {};
  const walker = new ArgumentWalker(limits, where);
  if (args === null || typeof args !== "object" || Array.isArray(args) || !isPlainObject(args)) {
    walker.fail("toolArgs.type", `must be a JSON object, not ${describe(args)}`);
  }
  try {
    return walker.object(args as Record<string, unknown>, 0);
  } catch (error) {
    if (error instanceof MCPValidationError) throw error;
    return walker.fail("toolArgs.value", "could not be read (a getter or proxy threw)", error);
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
      ?.name;
    return typeof name === "string" && name !== "" ? `a ${name.slice(0, 40)}` : "an object";
  }
  if (typeof value === "number") {
    return Number.isNaN(value) ? "NaN" : Number.isFinite(value) ? "a number" : "an infinite number";
  }
  return `a ${typeof value}`;
}

class ArgumentWalker {
  /** UTF-8 bytes of JSON counted so far. */
  private size = 0;
  private readonly path: Array<string | number> = [];
  /** The containers being walked, outermost first (depth is small, so a list beats a Set). */
  private readonly ancestors: object[] = [];

  constructor(
    private readonly limits: ToolArgumentLimits,
    private readonly where: ToolCallSite,
  ) {}

  fail(rule: Rule, problem: string, cause?: unknown): never {
    const setting = SETTING[rule];
    const field = this.field();
    const site =
      this.where.serverName === undefined
        ? `tool "${this.where.toolName}"`
        : `tool "${this.where.toolName}" on server "${this.where.serverName}"`;
    const advice = setting
      ? `Send less, or raise ${setting} in the server's security settings.`
      : "Send only JSON values (objects, arrays, strings, finite numbers, booleans, null).";
    throw new MCPValidationError(
      `Arguments for ${site} refused before sending: ${field} ${problem} (rule ${rule}). ${advice}`,
      {
        code: "POLICY_VIOLATION",
        rule,
        field,
        serverName: this.where.serverName,
        context: { toolName: this.where.toolName, rule, field },
        cause,
      },
    );
  }

  private field(): string {
    return renderKeyPath(this.path, "arguments", MAX_SHOWN_ARGUMENT_KEY_LENGTH);
  }

  private add(bytes: number): void {
    this.size += bytes;
    if (this.size > this.limits.maxSize) {
      this.fail(
        "toolArgs.size",
        `takes the arguments past security.tool_arguments.max_size (${this.limits.maxSize} bytes of JSON)`,
      );
    }
  }

  /** Counts a string as JSON: quotes, escapes and UTF-8 bytes. */
  private addString(text: string): void {
    const max = this.limits.maxSize;
    // Every code unit takes at least one byte.
    if (this.size + text.length + 2 > max) this.add(text.length + 2);
    const length = text.length;
    // Long strings without anything JSON escapes: native code counts them several times faster
    // than the loop below. Short strings (the common case) never pay for the scan.
    if (length >= LONG_STRING && !NEEDS_ESCAPE.test(text)) {
      this.add(Buffer.byteLength(text, "utf8") + 2);
      return;
    }
    let bytes = 2;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20) bytes += c === 0x22 || c === 0x5c ? 2 : 1;
        else bytes += c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : 6;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (c >= 0xd800 && c <= 0xdbff) {
        const next = i + 1 < length ? text.charCodeAt(i + 1) : 0;
        if (next >= 0xdc00 && next <= 0xdfff) {
          bytes += 4;
          i++;
        } else {
          bytes += 6; // a lone surrogate is written as \udxxx
        }
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        bytes += 6;
      } else {
        bytes += 3;
      }
      if ((i & 0xfff) === 0xfff && this.size + bytes > max) break;
    }
    this.add(bytes);
  }

  private value(value: unknown, depth: number): unknown {
    if (depth > this.limits.maxDepth) {
      this.fail(
        "toolArgs.depth",
        `is nested ${depth} levels deep, more than security.tool_arguments.max_depth (${this.limits.maxDepth})`,
      );
    }
    switch (typeof value) {
      case "string":
        if (value.length > this.limits.maxStringLength) {
          this.fail(
            "toolArgs.string",
            `is a string of ${value.length} characters, more than security.tool_arguments.max_string_length ` +
              `(${this.limits.maxStringLength})`,
          );
        }
        this.addString(value);
        return value;
      case "number":
        if (!Number.isFinite(value))
          this.fail("toolArgs.value", `is ${describe(value)}, which JSON cannot carry`);
        this.add(String(value).length);
        return value === 0 ? 0 : value;
      case "boolean":
        this.add(value ? 4 : 5);
        return value;
      case "object":
        if (value === null) {
          this.add(4);
          return null;
        }
        if (Array.isArray(value)) return this.array(value, depth);
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) this.fail("toolArgs.value", "is an invalid Date");
          const iso = value.toISOString();
          this.addString(iso);
          return iso;
        }
        if (!isPlainObject(value)) {
          this.fail(
            "toolArgs.value",
            `is ${describe(value)}; only plain objects, arrays and Dates are accepted`,
          );
        }
        return this.object(value as Record<string, unknown>, depth);
      default:
        return this.fail("toolArgs.value", `is ${describe(value)}, which JSON cannot carry`);
    }
  }

  object(source: Record<string, unknown>, depth: number): Record<string, unknown> {
    if (this.ancestors.includes(source))
      this.fail("toolArgs.value", "refers back to itself (a circular reference)");
    const keys = Object.keys(source);
    if (keys.length > this.limits.maxKeys) {
      this.fail(
        "toolArgs.keys",
        `has ${keys.length} keys, more than security.tool_arguments.max_keys (${this.limits.maxKeys})`,
      );
    }
    this.ancestors.push(source);
    const out: Record<string, unknown> = {};
    this.add(2);
    let first = true;
    for (const key of keys) {
      const child = source[key];
      if (child === undefined) continue;
      this.path.push(key);
      if (!first) this.add(1);
      first = false;
      this.addString(key);
      this.add(1);
      const copy = this.value(child, depth + 1);
      if (key === "__proto__") {
        Object.defineProperty(out, key, {
          value: copy,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else {
        out[key] = copy;
      }
      this.path.pop();
    }
    this.ancestors.pop();
    return out;
  }

  private array(source: readonly unknown[], depth: number): unknown[] {
    if (this.ancestors.includes(source))
      this.fail("toolArgs.value", "refers back to itself (a circular reference)");
    const length = source.length;
    if (length > this.limits.maxItems) {
      this.fail(
        "toolArgs.items",
        `has ${length} items, more than security.tool_arguments.max_items (${this.limits.maxItems})`,
      );
    }
    this.ancestors.push(source);
    const out = new Array<unknown>(length);
    this.add(length === 0 ? 2 : length + 1);
    for (let i = 0; i < length; i++) {
      this.path.push(i);
      const item = source[i];
      if (item === undefined) {
        if (depth + 1 > this.limits.maxDepth) this.value(item, depth + 1);
        this.add(4);
        out[i] = null;
      } else {
        out[i] = this.value(item, depth + 1);
      }
      this.path.pop();
    }
    this.ancestors.pop();
    return out;
  }
}
