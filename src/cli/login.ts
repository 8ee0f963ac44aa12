import { spawn } from "node:child_process";

import { startLoopbackRedirect } from "../auth/loopbackRedirect.js";
import type { AuthOptions } from "../auth/types.js";
import { DEFAULT_AUTH_REDIRECT_URL } from "../config/defaults.js";
import { MCPAuthenticationError } from "../errors/errors.js";
import type { Output } from "./output.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Interactive OAuth logins for the CLI: the authorization URL is shown (and opened in a browser on a
 * terminal), and a listener on 127.0.0.1 — at the redirect URL the login was started with — takes the
 * browser's callback. The listener only exists while a login is waiting.
 */
export function cliAuthOptions(output: Output): AuthOptions {
  return {
    onAuthorizationUrl: async (url, { serverName }) => {
      const redirect = new URL(url.searchParams.get("redirect_uri") ?? DEFAULT_AUTH_REDIRECT_URL);
      if (redirect.protocol !== "http:" || !LOOPBACK_HOSTS.has(redirect.hostname) || redirect.port === "") {
        throw new MCPAuthenticationError(
          `Server "${serverName}" needs a browser login, but its redirect URL is not a loopback address the CLI can listen on. Set auth.redirect_url to http://127.0.0.1:<port>/callback.`,
          { code: "AUTH_REQUIRED", serverName },
        );
      }
      const listener = await startLoopbackRedirect({ port: Number(redirect.port), path: redirect.pathname });
      try {
        output.note(
          `Server "${serverName}" needs you to sign in. Open this URL in a browser:\n  ${url.href}`,
        );
        if (output.interactive) openBrowser(url);
        return await listener.waitForCallback();
      } finally {
        await listener.close();
      }
    },
  };
}

/**
 * Best effort: a missing opener just leaves the printed URL. Only http(s) URLs, and never through a
 * shell (an authorization endpoint is server-controlled text: CVE-2025-6514 ran commands through one).
 */
function openBrowser(url: URL): void {
  if (url.protocol !== "https:" && url.protocol !== "http:") return;
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url.href]]
      : process.platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url.href]]
        : ["xdg-open", [url.href]];
  try {
    const child = spawn(command, args as string[], { stdio: "ignore", detached: true, shell: false });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener on this machine; the URL is printed.
  }
}
