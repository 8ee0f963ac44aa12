import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { CLIENT_INFO } from "../../../src/client/mcpClient.js";
import { DEMO_SERVER_VERSION } from "../../../src/demo/demoServer.js";

const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

describe("the version has one source, package.json", () => {
  it("is what the client announces and what the demo server reports", () => {
    expect(CLIENT_INFO.version).toBe(version);
    expect(DEMO_SERVER_VERSION).toBe(version);
  });
});
