import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { onAbort } from "../common/abort.js";
import { DEFAULT_LOOPBACK_TIMEOUT_SECONDS } from "../config/defaults.js";
import { MCPAuthenticationError } from "../errors/errors.js";

export interface LoopbackRedirectOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number | undefined;
  /** Path the authorization server redirects to. @default "/callback" */
  path?: string | undefined;
  /** Seconds `waitForCallback()` waits for the browser. @default 300 */
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
 */
export async function startLoopbackRedirect(
  options: LoopbackRedirectOptions = {},
): Promise<LoopbackRedirect> {
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
          clearTimeout(timer);
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
        const timer = setTimeout(
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

function abandoned(why: string): MCPAuthenticationError {
  return new MCPAuthenticationError(`The login was abandoned: ${why}. Start the login again.`, {
    code: "AUTH_FAILED",
  });
}
