import type { ServerConfigInput } from "mcp-tools";

declare const config: ServerConfigInput;

// #region readme
import { MCPClient, startLoopbackRedirect } from "mcp-tools";

const redirect = await startLoopbackRedirect({ port: 8765 }); // 127.0.0.1 only
const client = new MCPClient(config, {
  auth: {
    redirectUrl: redirect.redirectUrl,
    onAuthorizationUrl: async (url) => {
      console.log(`Open ${url} to sign in`);
      return redirect.waitForCallback(); // resolves with the callback URL
    },
  },
});
// #endregion readme
