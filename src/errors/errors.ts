import type { ErrorCode } from "./codes.js";
import { describeError, type ErrorDescription, redact } from "./redact.js";
import {
  MAX_ISSUE_TEXT,
  MAX_MESSAGE_TEXT,
  MAX_PROCESS_TAIL_TEXT,
  sanitizeServerText,
  sanitizeText,
} from "./serverText.js";

/**
 * Marks every mcp-tools error, so `isMCPError()` and `instanceof` work across duplicate copies
 * of the package (two versions in one `node_modules` tree, or a bundled copy): `instanceof` alone
 * compares constructors, which differ between copies. The registry key is global on purpose.
 */
const BRAND = Symbol.for("mcp-tools.error");
/** The chain of class names of an instance (`["MCPError", "MCPConnectionError", …]`). */
const KINDS = Symbol.for("mcp-tools.error.kinds");

export interface MCPErrorOptions {
  /** Stable code; each class has a default. */
  code?: ErrorCode;
  /** The configured server the error concerns, where known. */
  serverName?: string | undefined;
  /** Extra facts for logs and callers. Secrets are redacted when stored. */
  context?: Record<string, unknown> | undefined;
  /** The underlying failure. */
  cause?: unknown;
}

/** One link of the `cause` chain in `toJSON()`: name, message, code, and its own cause / errors. */
export type MCPErrorCauseJSON = ErrorDescription;

/**
 * The JSON form of an error (`toJSON()`), safe to log: secrets are redacted and terminal escape codes
 * removed in every string, the message and the whole `cause` chain (nested causes, the `errors` of
 * an `AggregateError`, thrown non-errors) included; cause messages are cut to `MAX_CAUSE_TEXT`.
 */
export interface MCPErrorJSON {
  name: string;
  code: ErrorCode;
  message: string;
  serverName?: string;
  context: Record<string, unknown>;
  timestamp: string;
  cause?: MCPErrorCauseJSON;
}

/**
 * Base class of every error mcp-tools raises. Raised directly for an unknown tool, prompt, resource
 * or server (`NOT_FOUND`) and a full queue (`QUEUE_FULL`). Every place in mcp-tools passes its
 * code; a bare `new MCPError(message)` is `NOT_FOUND`, the README's documented code of this class
 * (test/unit/errors/errors.test.ts, "keeps the seed's class names and a stable code per class").
 */
export class MCPError extends Error {
  /** Stable, documented code (see `ErrorCode`). */
  readonly code: ErrorCode;
  /** The configured server concerned, where known. */
  readonly serverName: string | undefined;
  /** Redacted facts about the failure. */
  readonly context: Record<string, unknown>;
  /** When the error was created. */
  readonly timestamp: Date;
  declare readonly [BRAND]: true;
  declare readonly [KINDS]: readonly string[];

  constructor(message: string, options: MCPErrorOptions = {}) {
    // Messages quote server text (HTTP bodies, JSON-RPC errors, stderr): secrets and escape codes are
    // removed here, once for every class and call site, and before `super` so `stack` never has them.
    // The untouched original stays on `cause`. Cut like any server text, so a huge message (a config
    // error listing every problem of a hostile file) costs the same as a short one.
    super(
      sanitizeServerText(message, MAX_MESSAGE_TEXT),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code ?? "NOT_FOUND";
    this.serverName = options.serverName;
    this.context = (redact(options.context ?? {}) ?? {}) as Record<string, unknown>;
    this.timestamp = new Date();
    const kinds: string[] = [];
    for (let proto = Object.getPrototypeOf(this); proto && proto !== Error.prototype;) {
      const own = Object.getOwnPropertyDescriptor(proto, "name")?.value;
      if (typeof own === "string") kinds.unshift(own);
      proto = Object.getPrototypeOf(proto);
    }
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds), enumerable: false });
  }

  /** `instanceof` that also recognises errors from another copy of mcp-tools. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as { [KINDS]?: readonly string[] })[KINDS];
    const wanted = (this.prototype as { name?: unknown }).name;
    return (
      (value as { [BRAND]?: boolean })[BRAND] === true &&
      Array.isArray(kinds) &&
      typeof wanted === "string" &&
      kinds.includes(wanted)
    );
  }

  toJSON(): MCPErrorJSON {
    const json: MCPErrorJSON = {
      name: this.name,
      code: this.code,
      message: this.message,
      context: this.context,
      timestamp: this.timestamp.toISOString(),
    };
    if (this.serverName !== undefined) json.serverName = this.serverName;
    if (this.cause !== undefined) json.cause = describeError(this.cause);
    return json;
  }
}

// Give every class its own `name` on the prototype (non-enumerable), so stack traces and logs show it.
function named<T extends abstract new (...args: never[]) => MCPError>(cls: T, name: string): T {
  Object.defineProperty(cls.prototype, "name", { value: name, enumerable: false, configurable: true });
  return cls;
}
named(MCPError, "MCPError");

/** Facts about a process exit attached to `PROCESS_EXITED` / `SPAWN_FAILED` errors. */
export interface ProcessExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** The last lines the server wrote to stderr (bounded), useful to see why it died. */
  stderrTail: string;
  pid?: number | undefined;
}

export interface MCPConnectionErrorOptions extends MCPErrorOptions {
  transportType?: string | undefined;
  /** For stdio: exit code, signal and stderr tail. */
  process?: ProcessExitInfo | undefined;
  /** For HTTP: the status that caused the failure. */
  httpStatus?: number | undefined;
}

/**
 * The connection to a server failed or was lost: spawn failure, process exit, closed stream,
 * refused connection, unexpected HTTP status, oversize message, protocol garbage, expired session.
 */
export class MCPConnectionError extends MCPError {
  readonly transportType: string | undefined;
  readonly process: ProcessExitInfo | undefined;
  readonly httpStatus: number | undefined;

  constructor(message: string, options: MCPConnectionErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "CONNECTION_CLOSED" });
    this.transportType = options.transportType;
    // The tail is the server's raw stderr: shown to people and logged, so cleaned like the message
    // (its end kept: the last lines say why the server died).
    this.process =
      options.process === undefined
        ? undefined
        : {
            ...options.process,
            stderrTail: sanitizeServerText(options.process.stderrTail, MAX_PROCESS_TAIL_TEXT, "end"),
          };
    this.httpStatus = options.httpStatus;
  }
}
named(MCPConnectionError, "MCPConnectionError");

export interface MCPCircuitOpenErrorOptions extends MCPErrorOptions {
  /** Seconds until the breaker lets one probe call through. */
  retryAfter: number;
}

/**
 * The server's circuit breaker is open: the call failed fast and nothing was sent.
 * `cause` is the failure that opened (or re-opened) the circuit.
 */
export class MCPCircuitOpenError extends MCPConnectionError {
  /** Seconds until the next probe is allowed (0 when a probe is already running). */
  readonly retryAfter: number;
  /** When the next probe is allowed. */
  readonly retryAt: Date;

  constructor(message: string, options: MCPCircuitOpenErrorOptions) {
    super(message, { ...options, code: "CIRCUIT_OPEN" });
    this.retryAfter = options.retryAfter;
    this.retryAt = new Date(this.timestamp.getTime() + options.retryAfter * 1000);
  }
}
named(MCPCircuitOpenError, "MCPCircuitOpenError");

export interface MCPServerErrorOptions extends MCPErrorOptions {
  /** The JSON-RPC error code the server sent. */
  rpcCode?: number | undefined;
  /** The JSON-RPC error `data` the server sent. */
  data?: unknown;
}

/** The server answered with a JSON-RPC error. The server is alive; the request failed. */
export class MCPServerError extends MCPError {
  readonly rpcCode: number | undefined;
  readonly data: unknown;

  constructor(message: string, options: MCPServerErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "SERVER_ERROR" });
    this.rpcCode = options.rpcCode;
    this.data = options.data;
  }
}
named(MCPServerError, "MCPServerError");

/** The server could not serve a resource (for example JSON-RPC -32002 "resource not found"). */
export class MCPResourceError extends MCPServerError {
  readonly uri: string | undefined;

  constructor(message: string, options: MCPServerErrorOptions & { uri?: string | undefined } = {}) {
    super(message, { ...options, code: "RESOURCE_ERROR" });
    this.uri = options.uri;
  }
}
named(MCPResourceError, "MCPResourceError");

/** One problem found by config validation. */
export interface ConfigIssue {
  /** Key path such as `servers[1].security.level` or `env.API_KEY`. */
  path: string;
  /** What is wrong and what to do. Never contains env or header values. */
  message: string;
  /** The rule that refused the value, for policy refusals (e.g. `command.allowlist`). */
  rule?: string;
  /** The file the config came from, when it came from a file. */
  file?: string;
  /** 1-based line in that file, where known. */
  line?: number;
}

export interface MCPConfigurationErrorOptions extends MCPErrorOptions {
  issues?: ConfigIssue[];
  /** Non-fatal findings such as unknown keys with a typo suggestion. */
  warnings?: ConfigIssue[];
  configFile?: string | undefined;
}

/** A config failed validation. Lists every problem at once; nothing was spawned or connected. */
export class MCPConfigurationError extends MCPError {
  readonly issues: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
  readonly configFile: string | undefined;

  constructor(message: string, options: MCPConfigurationErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "CONFIG_INVALID" });
    // Issues quote keys and names from configs, which may come from untrusted JSON.
    this.issues = (options.issues ?? []).map(sanitizeIssue);
    this.warnings = (options.warnings ?? []).map(sanitizeIssue);
    this.configFile = options.configFile;
  }

  override toJSON(): MCPErrorJSON & { issues: readonly ConfigIssue[] } {
    return { ...super.toJSON(), issues: this.issues };
  }
}
named(MCPConfigurationError, "MCPConfigurationError");

/** The suffix `sanitizeServerText` gives a text it cut: a field that ends in it was cleaned already. */
const CUT_SUFFIX = /… \(\d+ more characters\)$/;

/** `text` cleaned and cut to `max`; cleaning it again changes nothing (issues are copied and relocated). */
function cleanIssueText(text: string, max: number): string {
  const cut = text.length <= max + 40 ? CUT_SUFFIX.exec(text) : null;
  if (cut && cut.index <= max) return sanitizeText(text.slice(0, cut.index)) + cut[0];
  return sanitizeServerText(text, max);
}

/**
 * A config issue fit for messages and for the `warnings` returned with a valid config: its path,
 * message and file quote keys and names from configs, which may come from untrusted JSON (escape
 * codes, a 100 kB key), so each is cleaned and cut. Idempotent.
 */
export function sanitizeIssue(issue: ConfigIssue): ConfigIssue {
  const clean: ConfigIssue = {
    ...issue,
    path: cleanIssueText(issue.path, MAX_ISSUE_TEXT),
    message: cleanIssueText(issue.message, MAX_ISSUE_TEXT * 2),
  };
  if (issue.file !== undefined) clean.file = cleanIssueText(issue.file, MAX_ISSUE_TEXT);
  return clean;
}

export interface MCPTimeoutErrorOptions extends MCPErrorOptions {
  /** The limit that was exceeded, in seconds. */
  timeoutSeconds: number;
  /** What timed out, e.g. `tools/call echo` or `initialize`. */
  operation: string;
}

/** A request (or the handshake: `code: "INITIALIZE_TIMEOUT"`) got no answer in time. */
export class MCPTimeoutError extends MCPError {
  readonly timeoutSeconds: number;
  readonly operation: string;

  constructor(message: string, options: MCPTimeoutErrorOptions) {
    super(message, { ...options, code: options.code ?? "REQUEST_TIMEOUT" });
    this.timeoutSeconds = options.timeoutSeconds;
    this.operation = options.operation;
  }
}
named(MCPTimeoutError, "MCPTimeoutError");

/**
 * The caller aborted the request through its `AbortSignal`. Distinct from a timeout, and neutral
 * for the circuit breaker (the server did nothing wrong).
 */
export class MCPCancelledError extends MCPError {
  readonly operation: string;

  constructor(message: string, options: MCPErrorOptions & { operation: string }) {
    super(message, { ...options, code: "REQUEST_CANCELLED" });
    this.operation = options.operation;
  }
}
named(MCPCancelledError, "MCPCancelledError");

export interface MCPValidationErrorOptions extends MCPErrorOptions {
  /** The argument or field that failed (`arguments.path`, `name`). */
  field?: string | undefined;
  /** The rule that refused it (`args.maxDepth`, `schema.required`, `json.parse`). */
  rule?: string | undefined;
}

/**
 * Tool arguments were refused before anything was sent: a security limit (`code: "POLICY_VIOLATION"`)
 * or the tool's `inputSchema` / JSON syntax (`code: "INVALID_ARGUMENTS"`).
 */
export class MCPValidationError extends MCPError {
  readonly field: string | undefined;
  readonly rule: string | undefined;

  constructor(message: string, options: MCPValidationErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? "INVALID_ARGUMENTS" });
    this.field = options.field;
    this.rule = options.rule;
  }
}
named(MCPValidationError, "MCPValidationError");

/** The server requires authorization, or refused the credentials (401 / 403). Neutral for the breaker. */
export class MCPAuthenticationError extends MCPError {
  readonly httpStatus: number | undefined;

  constructor(message: string, options: MCPErrorOptions & { httpStatus?: number | undefined } = {}) {
    super(message, { ...options, code: options.code ?? "AUTH_REQUIRED" });
    this.httpStatus = options.httpStatus;
  }
}
named(MCPAuthenticationError, "MCPAuthenticationError");

/** The class each code is raised with, so `isMCPError(e, code)` narrows to it. */
export interface ErrorClassByCode {
  CONFIG_INVALID: MCPConfigurationError;
  ENV_VAR_MISSING: MCPConfigurationError;
  POLICY_VIOLATION: MCPValidationError;
  INVALID_ARGUMENTS: MCPValidationError;
  NOT_FOUND: MCPError;
  QUEUE_FULL: MCPError;
  NOT_CONNECTED: MCPConnectionError;
  SPAWN_FAILED: MCPConnectionError;
  PROCESS_EXITED: MCPConnectionError;
  CONNECTION_CLOSED: MCPConnectionError;
  CONNECTION_REFUSED: MCPConnectionError;
  INITIALIZE_FAILED: MCPConnectionError;
  MESSAGE_TOO_LARGE: MCPConnectionError;
  PROTOCOL_ERROR: MCPConnectionError;
  HTTP_STATUS: MCPConnectionError;
  SESSION_EXPIRED: MCPConnectionError;
  CIRCUIT_OPEN: MCPCircuitOpenError;
  INITIALIZE_TIMEOUT: MCPTimeoutError;
  REQUEST_TIMEOUT: MCPTimeoutError;
  REQUEST_CANCELLED: MCPCancelledError;
  SERVER_ERROR: MCPServerError;
  RESOURCE_ERROR: MCPResourceError;
  AUTH_REQUIRED: MCPAuthenticationError;
  AUTH_FAILED: MCPAuthenticationError;
}

/**
 * True for any error raised by mcp-tools (any copy of the package). With a code, also checks it and
 * narrows to the class that code is raised with (`isMCPError(e, "CIRCUIT_OPEN")` → `e.retryAfter`).
 */
export function isMCPError(value: unknown): value is MCPError;
export function isMCPError<C extends ErrorCode>(value: unknown, code: C): value is ErrorClassByCode[C];
export function isMCPError(value: unknown, code?: ErrorCode): boolean {
  if (!(value instanceof MCPError)) return false;
  return code === undefined || value.code === code;
}
