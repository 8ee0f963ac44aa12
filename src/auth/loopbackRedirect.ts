import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { onAbort } from "../common/abort.js";
import { describeValue } from "../common/guards.js";
import { clearSafeTimeout, setSafeTimeout } from "../common/timers.js";
import { DEFAULT_LOOPBACK_TIMEOUT_SECONDS } from "../config/defaults.js";
import { MCPAuthenticationError, MCPValidationError } from "../errors/errors.js";

export interface LoopbackRedirectOptions {
  /** Port on 127.0.0.1 (a whole number from 0 to 65535); 0 picks a free one. @default 0 */
  port?: number | undefined;
  /** Path the authorization server redirects to (starts with "/"). @default "/callback" */
  path?: string | undefined;
  /** Seconds `waitForCallback()` waits for the browser (> 0; Infinity waits for ever). @default 300 */
  timeout?: number | undefined;
}

/** A one-user HTTP listener on 127.0.0.1 that receives the browser's redirect after a login. */
export interface LoopbackRedirect {
  /** The redirect URL to register and send (`http://127.0.0.1:<port><path>`). */
  readonly redirectUrl: string;
  readonly port: number;
  /**
   * Resolves with the query of the next redirect that reaches the path (`code`, `state`, `iss`, or
   * `error`). Rejects with `MCPAuthenticationError` when the timeout passes, `signal` aborts or the
   * listener is closed.
   */
  waitForCallback(signal?: AbortSignal): Promise<URLSearchParams>;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>mcp-tools</title></head>
<body style="font-family: sans-serif"><p>Authorization received. You can close this window and return to the terminal.</p></body></html>`;

/**
 * Starts the loopback redirect listener of RFC 8252 §7.3 for interactive OAuth logins. It binds to
 * 127.0.0.1 only, answers only its path (GET, with a loopback `Host`, which stops DNS-rebinding pages),
 * never echoes request data into its page, and hands each callback's query to one waiter.
 * @throws MCPValidationError (code INVALID_ARGUMENTS, rule `options.<name>`) for an option out of
 *   range, before anything listens.
 */
export async function startLoopbackRedirect(
  options: LoopbackRedirectOptions = {},
): Promise<LoopbackRedirect> {
  checkOptions(options);
  const path = options.path ?? "/callback";
  const timeoutMs = (options.timeout ?? DEFAULT_LOOPBACK_TIMEOUT_SECONDS) * 1000;
  const received: URLSearchParams[] = [];
  const waiters: Array<{ resolve: (params: URLSearchParams) => void; reject: (error: Error) => void }> = [];
  let closed = false;
  let port = 0;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const reply = (status: number, body: string) => {
      response.writeHead(status, {
        "content-type": status === 200 ? "text/html; charset=utf-8" : "text/plain; charset=utf-8",
        "cache-control": "no-store",
        connection: "close",
      });
      response.end(body);
    };
    const host = (request.headers.host ?? "").toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return reply(400, "Bad host\n");
    const url = new URL(request.url ?? "/", `http://127.0.0.1:${port}`);
    if (url.pathname !== path) return reply(404, "Not found\n");
    if (request.method !== "GET") return reply(405, "Method not allowed\n");
    if (!url.searchParams.has("code") && !url.searchParams.has("error")) {
      return reply(400, "Missing code or error\n");
    }
    reply(200, PAGE);
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(url.searchParams);
    else received.push(url.searchParams);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const redirectUrl = `http://127.0.0.1:${port}${path}`;

  return {
    redirectUrl,
    port,
    waitForCallback(signal?: AbortSignal): Promise<URLSearchParams> {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      if (closed) return Promise.reject(abandoned("the listener was closed"));
      return new Promise<URLSearchParams>((resolve, reject) => {
        let stopWaiting: (() => void) | undefined;
        const cleanup = () => {
          clearSafeTimeout(timer);
          stopWaiting?.();
          const index = waiters.indexOf(entry);
          if (index !== -1) waiters.splice(index, 1);
        };
        const entry = {
          resolve: (params: URLSearchParams) => {
            cleanup();
            resolve(params);
          },
          reject: (error: Error) => {
            cleanup();
            reject(error);
          },
        };
        const cancel = () => entry.reject(abandoned("it was cancelled"));
        // Through setSafeTimeout: Infinity (wait for ever) or a delay beyond 2^31−1 ms given to Node's
        // setTimeout fires after 1 ms.
        const timer = setSafeTimeout(
          () =>
            entry.reject(abandoned(`no browser came back to ${redirectUrl} within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
        if (signal?.aborted) return cancel();
        if (signal) stopWaiting = onAbort(signal, cancel);
        waiters.push(entry);
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const waiter of [...waiters]) waiter.reject(abandoned("the listener was closed"));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The range of each option, as the message states it. */
const OPTION_RULES: ReadonlyArray<{
  name: keyof LoopbackRedirectOptions;
  accepts: (value: unknown) => boolean;
  allowed: string;
}> = [
  {
    name: "port",
    accepts: (value) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65_535,
    allowed: "a whole number from 0 to 65535 (0 picks a free port)",
  },
  {
    name: "path",
    accepts: (value) => typeof value === "string" && value.startsWith("/"),
    allowed: 'a path that starts with "/"',
  },
  {
    name: "timeout",
    accepts: (value) => typeof value === "number" && value > 0,
    allowed: "a number of seconds > 0, or Infinity to wait for ever",
  },
];

/**
 * Refuses options out of range, every problem at once, as the clients refuse per-call options: a
 * timeout of NaN, 0 or -1 would give up at once and a bad port would throw a bare RangeError.
 */
function checkOptions(options: LoopbackRedirectOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new MCPValidationError(
      "Invalid options for startLoopbackRedirect(): the options must be an object. Pass an object such as { timeout: 300 }, or leave them out.",
      { field: "options", rule: "options.type" },
    );
  }
  const problems = OPTION_RULES.filter(
    ({ name, accepts }) => options[name] !== undefined && !accepts(options[name]),
  ).map(({ name, allowed }) => ({
    name,
    text: `${name} must be ${allowed}, got ${describeValue(options[name])}`,
  }));
  const first = problems[0];
  if (!first) return;
  throw new MCPValidationError(
    `Invalid option${problems.length > 1 ? "s" : ""} for startLoopbackRedirect(): ${problems.map((p) => p.text).join("; ")}. Nothing was started; pass a value in range, or leave the option out for its default.`,
    {
      field: first.name,
      rule: `options.${first.name}`,
      context: { options: problems.map((p) => p.name) },
    },
  );
}

function abandoned(why: string): MCPAuthenticationError {
  return new MCPAuthenticationError(`The login was abandoned: ${why}. Start the login again.`, {
    code: "AUTH_FAILED",
  });
}
