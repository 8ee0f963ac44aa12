/**
 * The one policy for invalid runtime options (the pool's, the breaker's, the health monitor's, the
 * concurrency limit's): every option is checked, every problem is collected, and one
 * `MCPConfigurationError` lists them all, each with the option, the value given (redacted for a
 * secret) and the range allowed. A value out of range is refused, never clamped: a clamp would run
 * with a setting nobody asked for.
 *
 *     const check = new OptionIssues("connection pool", { serverName });
 *     const size = check.wholeNumber("size", options.size ?? DEFAULT_POOL_SIZE, { min: 1 });
 *     check.throwIfAny(); // before anything is created
 */

import { describeValue } from "../common/guards.js";
import type { ConfigIssue } from "../errors/errors.js";
import { MCPConfigurationError } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { REDACTED } from "../errors/secretKeys.js";
import { formatIssues } from "./issues.js";

/** Rules of `OptionIssues` issues: a value of the wrong type, or one outside its range. */
export const OPTION_RULES = { type: "options.type", range: "options.range" } as const;

export interface OptionCheck {
  /** The value is a secret (a token, a key): the message says "[REDACTED]" instead. */
  secret?: boolean | undefined;
}

export interface NumberRange extends OptionCheck {
  /** Smallest value allowed (inclusive). */
  min?: number | undefined;
  /** Smallest value is excluded: `> min` (a duration of 0 makes no sense). */
  exclusiveMin?: boolean | undefined;
  /** Largest value allowed (inclusive); `Infinity` allows "no limit". @default the finite numbers */
  max?: number | undefined;
  /** Unit for the message (`seconds`, `ms`). */
  unit?: string | undefined;
}

/** A value for a message (`common/guards.ts describeValue`), or "[REDACTED]" for a secret. */
export function describeOptionValue(value: unknown, secret = false): string {
  if (secret && value !== undefined && value !== null) return REDACTED;
  return describeValue(value);
}

/** `a number > 0 seconds`, `a whole number ≥ 1`, `a whole number from 1 to 100`: the range of a `NumberRange` in words. */
function rangeText(range: NumberRange, whole: boolean): string {
  const unit = range.unit ? ` ${range.unit}` : "";
  const kind = whole ? "a whole number" : "a number";
  const { min } = range;
  const max = range.max === Number.POSITIVE_INFINITY ? undefined : range.max;
  const noLimit = range.max === Number.POSITIVE_INFINITY ? ", or Infinity for no limit" : "";
  if (min !== undefined && max !== undefined && !range.exclusiveMin)
    return `${kind} from ${min} to ${max}${unit}`;
  const parts: string[] = [];
  if (min !== undefined) parts.push(`${range.exclusiveMin ? ">" : "≥"} ${min}`);
  if (max !== undefined) parts.push(`≤ ${max}`);
  return `${parts.length === 0 ? kind : `${kind} ${parts.join(" and ")}`}${unit}${noLimit}`;
}

/** Collects the problems of one options object and throws them together. */
export class OptionIssues {
  private readonly found: ConfigIssue[] = [];

  /**
   * @param subject what the options are for, in messages (`connection pool`, `circuit breaker "files"`).
   */
  constructor(
    private readonly subject: string,
    private readonly extra: { serverName?: string | undefined } = {},
  ) {}

  /** Problems found so far. */
  get issues(): readonly ConfigIssue[] {
    return this.found;
  }

  /** Records one problem at path `option`: "must be `allowed`, got <the value>". */
  add(option: string, value: unknown, allowed: string, check: OptionCheck & { rule?: string } = {}): void {
    this.found.push(
      issue(
        option,
        check.rule ?? OPTION_RULES.range,
        // The option is the issue's path, shown before the message ("size: must be …").
        `must be ${allowed}, got ${describeOptionValue(value, check.secret)}`,
      ),
    );
  }

  /** A finite number in `range`; returns the value (checked or not: throw before using it). */
  number(option: string, value: number, range: NumberRange = {}): number {
    if (!this.inRange(value, range)) this.add(option, value, rangeText(range, false), range);
    return value;
  }

  /** A whole number in `range`. */
  wholeNumber(option: string, value: number, range: NumberRange = {}): number {
    if (!Number.isInteger(value) || !this.inRange(value, range))
      this.add(option, value, rangeText(range, true), range);
    return value;
  }

  /**
   * Throws the one error that lists every problem, when there is any.
   * @throws MCPConfigurationError (code CONFIG_INVALID) with one issue per problem.
   */
  throwIfAny(): void {
    const issues = this.found;
    if (issues.length === 0) return;
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    throw new MCPConfigurationError(
      `Invalid options for ${this.subject}: ${count}. Nothing was created; pass values in range, or leave an option out for its default.\n${formatIssues(issues)}`,
      {
        issues: [...issues],
        serverName: this.extra.serverName,
        context: {
          issueCount: issues.length,
          rules: [...new Set(issues.map((i) => i.rule).filter(Boolean))],
        },
      },
    );
  }

  private inRange(value: number, range: NumberRange): boolean {
    if (typeof value !== "number" || Number.isNaN(value)) return false;
    if (range.min !== undefined && (range.exclusiveMin ? !(value > range.min) : !(value >= range.min)))
      return false;
    if (range.max !== undefined && !(value <= range.max)) return false;
    // Without a max, Infinity is out of range: an option that allows "no limit" says so with max.
    return range.max !== undefined || Number.isFinite(value);
  }
}
