/**
 * Every place the client depends on the SDK's internals or on its undocumented timing, in one file:
 * review it on every SDK bump. `test/unit/client/sdkInternals.test.ts` fails when the internals used
 * here move or change shape (and pins the SDK version they were checked against). Each patch falls
 * back to the SDK's own behaviour when what it relies on is missing.
 */
import type {
  CallToolResult,
  Client,
  JSONRPCMessage,
  Progress,
  RequestOptions,
  StandardSchemaV1,
  Tool,
  Transport,
} from "@modelcontextprotocol/client";

import { MAX_TIMER_MS } from "../resilience/clock.js";

/** The SDK version the internals below were read from (`test/unit/client/sdkInternals.test.ts` checks it). */
export const SDK_INTERNALS_CHECKED_AGAINST = "2.4.0";

/** The list methods the catalog pages through, plus the health check's fallback. */
export type ListMethod = "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list";

/**
 * `Client.request()` for a spec list method, without a result schema (the SDK picks its own, see
 * `reuseResultValidators`). Its overloads want a typed request object per method; the method here
 * is a union, so the call is made through an untyped view.
 */
export function requestList(
  sdk: Client,
  method: ListMethod,
  params: { cursor?: string },
  options: RequestOptions,
): Promise<Record<string, unknown>> {
  const untyped = sdk as unknown as { request: SdkRequest };
  return untyped.request({ method, params }, options) as Promise<Record<string, unknown>>;
}

/**
 * `Client.callTool()` with the tool's definition from our own `tools/list`, so the SDK validates the
 * output schema and mirrors parameters without a `tools/list` of its own (`toolDefinition`).
 */
export function callToolWithDefinition(
  sdk: Client,
  params: { name: string; arguments: Record<string, unknown>; _meta?: { progressToken: string } },
  options: RequestOptions,
  tool: Tool,
): Promise<CallToolResult> {
  return sdk.callTool(params, { ...options, toolDefinition: tool } as never) as Promise<CallToolResult>;
}

/**
 * Progress notifications are dispatched by `deliverProgress`, synchronously and in wire order, before
 * the SDK sees them. The SDK dispatches notifications a microtask late but responses at once, so the
 * last progress update of a call could arrive after the call resolved and be dropped.
 */
export function interceptProgress(
  transport: Transport,
  handlerOf: (token: string) => ((progress: Progress) => void) | undefined,
): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = <T extends JSONRPCMessage>(message: T, extra?: unknown) => {
    if ("method" in message && message.method === "notifications/progress") {
      const params = message.params as (Progress & { progressToken?: unknown }) | undefined;
      const handler = typeof params?.progressToken === "string" ? handlerOf(params.progressToken) : undefined;
      if (handler) {
        const { progressToken: _token, ...progress } = params!;
        handler(progress as Progress);
        return;
      }
    }
    (deliver as (message: T, extra?: unknown) => void)(message, extra);
  };
}

/**
 * Every request goes to the SDK with a timeout: our own, or `MAX_TIMER_MS` when our timers govern
 * (progress, connect, a timeout beyond one Node timer or Infinity). The SDK arms a plain `setTimeout`
 * for it, so "no limit" would still end after 24.8 days. A request whose timeout is `MAX_TIMER_MS` or
 * more gets no SDK timer at all (through its `_setupTimeout`, SDK 2.4.0; an SDK without that method
 * keeps its 24.8-day timer, the bound before this fix). Cleanup and progress resets then find no
 * timer entry and do nothing.
 */
export function disarmSdkTimersBeyondMax(sdk: Client): void {
  const internals = sdk as unknown as {
    _setupTimeout?: (id: unknown, timeout: number, ...rest: unknown[]) => void;
  };
  const setup = internals._setupTimeout;
  if (typeof setup !== "function") return;
  internals._setupTimeout = function (this: unknown, id: unknown, timeout: number, ...rest: unknown[]) {
    if (timeout >= MAX_TIMER_MS) return;
    setup.call(this, id, timeout, ...rest);
  };
}

/** The part of the SDK's internal wire codec that `reuseResultValidators` relies on. */
interface WireCodec {
  validateResult(
    method: string,
    raw: unknown,
  ): { ok: true; value: unknown } | { ok: false; reason: string; message?: string };
}

type SdkRequest = (
  request: { method: string; params?: unknown },
  schemaOrOptions?: unknown,
  options?: unknown,
) => Promise<unknown>;

/** Methods the SDK sends era-blind when a schema is given; they keep the SDK's own path. */
const ERA_BLIND_METHODS = new Set(["tasks/get", "tasks/cancel"]);

/**
 * The SDK's `Client.request()` (2.4.0) finds a spec method's result validator on every request by
 * validating `undefined` against the result schema, building and discarding a ZodError each time: a
 * fifth of the client's CPU in a burst of small calls (BENCHMARKS.md). Handed a schema, it skips that
 * lookup, so the same validator is built once per wire era and method and handed in. It uses the
 * SDK's internal `_resolveOutboundCodec`; when that is missing the SDK's own path runs unchanged.
 */
export function reuseResultValidators(sdk: Client): void {
  const internals = sdk as unknown as {
    _resolveOutboundCodec?: (method: string) => WireCodec | undefined;
    request: SdkRequest;
  };
  const resolveCodec = internals._resolveOutboundCodec;
  if (typeof resolveCodec !== "function") return;
  const original = internals.request.bind(sdk) as SdkRequest;
  const validators = new WeakMap<WireCodec, Map<string, StandardSchemaV1 | null>>();
  internals.request = (request, schemaOrOptions, options) => {
    if (isStandardSchema(schemaOrOptions) || ERA_BLIND_METHODS.has(request.method)) {
      return original(request, schemaOrOptions, options);
    }
    const codec = resolveCodec.call(sdk, request.method);
    if (typeof codec?.validateResult !== "function") return original(request, schemaOrOptions, options);
    let byMethod = validators.get(codec);
    if (!byMethod) {
      byMethod = new Map();
      validators.set(codec, byMethod);
    }
    let validator = byMethod.get(request.method);
    if (validator === undefined) {
      validator = resultValidator(codec, request.method);
      byMethod.set(request.method, validator);
    }
    // Not a spec method of this era: the SDK's own path raises its usual error.
    if (validator === null) return original(request, schemaOrOptions, options);
    return original(request, validator, schemaOrOptions);
  };
}

/** The validator the SDK would build for `method` (its `codecResultValidator`), or null when the era has none. */
function resultValidator(codec: WireCodec, method: string): StandardSchemaV1 | null {
  const probe = codec.validateResult(method, undefined);
  if (!probe.ok && probe.reason === "not-in-era") return null;
  return {
    "~standard": {
      version: 1,
      vendor: "mcp-wire-codec",
      validate(value: unknown) {
        const outcome = codec.validateResult(method, value);
        if (outcome.ok) return { value: outcome.value };
        return {
          issues: [
            {
              message:
                outcome.reason === "invalid" ? (outcome.message ?? "invalid") : `not-in-era: ${method}`,
            },
          ],
        };
      },
    },
  };
}

function isStandardSchema(value: unknown): boolean {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  const standard = (value as { "~standard"?: { validate?: unknown } })["~standard"];
  return typeof standard?.validate === "function";
}
