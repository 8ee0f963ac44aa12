// Config issues quote keys and names of configs that may come from untrusted JSON. They are cleaned
// (escape codes, invisible characters, secrets) and cut where they are created or copied, so the
// warnings handed back with a *valid* config are as clean as those inside an MCPConfigurationError.
import { describe, expect, it } from "vitest";

import { prefixIssues } from "../../../src/config/issues.js";
import { loadConfig } from "../../../src/config/loadConfig.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { type ConfigIssue, MCPConfigurationError, sanitizeIssue } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";

const HOSTILE_KEY = "bad\x1b]0;pwned\x07\x1b[31m\u202ekey\u200b";
// eslint-disable-next-line no-control-regex
const UNCLEAN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e]/;

describe("config issues", () => {
  it("sanitizeIssue cleans path, message and file, cuts them, and is idempotent", () => {
    const issue: ConfigIssue = {
      path: `mcpServers.${HOSTILE_KEY}${"x".repeat(5_000)}`,
      message: `unknown key "${HOSTILE_KEY}" is ignored; token=Zq8xV2mN4pL7wR1t`,
      file: `/tmp/${HOSTILE_KEY}.json`,
      rule: "config.unknownKey",
      line: 3,
    };
    const clean = sanitizeIssue(issue);
    expect(JSON.stringify(clean)).not.toMatch(UNCLEAN);
    expect(clean.message).not.toContain("Zq8xV2mN4pL7wR1t");
    expect(clean.path.length).toBeLessThan(1_100);
    expect(clean.path).toMatch(/… \(\d+ more characters\)$/);
    expect(clean).toMatchObject({ rule: "config.unknownKey", line: 3 });
    expect(sanitizeIssue(clean)).toEqual(clean);
    expect(new MCPConfigurationError("bad", { warnings: [clean] }).warnings[0]).toEqual(clean);
  });

  it("prefixIssues hands out clean issues", () => {
    const [issue] = prefixIssues(
      [{ path: HOSTILE_KEY, message: `unknown key "${HOSTILE_KEY}"` }],
      "servers[0]",
    );
    expect(issue!.path.startsWith("servers[0].")).toBe(true);
    expect(JSON.stringify(issue)).not.toMatch(UNCLEAN);
  });

  it("MultiMCPClient.warnings of a valid config carry no escape code from its keys", () => {
    const client = new MultiMCPClient({
      mcpServers: { s: { command: "node", args: ["server.js"], [HOSTILE_KEY]: 1 } },
    });
    expect(client.warnings.length).toBeGreaterThan(0);
    expect(JSON.stringify(client.warnings)).not.toMatch(UNCLEAN);
    // A key that is no plain name is quoted as JSON in the path, so its control characters are escapes.
    expect(client.warnings[0]).toMatchObject({
      path: 'mcpServers.s["bad\\u001b]0;pwned\\u0007\\u001b[31mkey"]',
      rule: "config.unknownKey",
    });
  });

  it("loadConfig and MCPConfigValidator.checkServerConfig hand back clean warnings too", async () => {
    const server = { command: "node", args: ["server.js"], [HOSTILE_KEY]: 1 };
    const loaded = await loadConfig({ mcpServers: { s: server } });
    expect(loaded.warnings.length).toBeGreaterThan(0);
    expect(JSON.stringify(loaded.warnings)).not.toMatch(UNCLEAN);
    const checked = MCPConfigValidator.checkServerConfig({ name: "s", ...server });
    expect(checked.warnings.length).toBeGreaterThan(0);
    expect(JSON.stringify(checked.warnings)).not.toMatch(UNCLEAN);
  });
});
