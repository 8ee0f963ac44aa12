// Argument checks against a tool's inputSchema before a call is sent (client/argumentCheck.ts).
import type { Tool } from "@modelcontextprotocol/client";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ArgumentCheck } from "../../../src/client/argumentCheck.js";
import { MCPValidationError } from "../../../src/errors/errors.js";

const needs = (field: string, extra: Record<string, unknown> = {}): Tool => ({
  name: `needs-${field}`,
  inputSchema: { type: "object", properties: { [field]: { type: "number" } }, required: [field], ...extra },
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ArgumentCheck", () => {
  it("rejects arguments that break the schema with INVALID_ARGUMENTS naming the tool, the server and what to do", () => {
    const check = new ArgumentCheck("srv");
    expect(() => check.check(needs("a"), { a: 1 })).not.toThrow();
    let error: unknown;
    try {
      check.check(needs("a"), { a: "x" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({
      code: "INVALID_ARGUMENTS",
      serverName: "srv",
      field: "arguments",
      rule: "schema",
      context: { tool: "needs-a" },
    });
    expect((error as Error).message).toMatch(
      /^Invalid arguments for tool "needs-a" on server "srv": .+\. Check the tool's inputSchema\.$/,
    );
  });

  it("compiles each tool's schema once, until the tool list is replaced", () => {
    const compile = vi.spyOn(AjvJsonSchemaValidator.prototype, "getValidator");
    const check = new ArgumentCheck("srv");
    check.check(needs("a"), { a: 1 });
    check.check(needs("a"), { a: 2 });
    expect(compile).toHaveBeenCalledTimes(1);
    check.clear();
    check.check(needs("a"), { a: 3 });
    expect(compile).toHaveBeenCalledTimes(2);
  });

  it("a schema's $id never lets one tool's validator stand in for another's", () => {
    const check = new ArgumentCheck("srv");
    check.check(needs("a", { $id: "urn:same" }), { a: 1 });
    expect(() => check.check(needs("b", { $id: "urn:same" }), { a: 1 })).toThrow(MCPValidationError);
    // A changed schema with the same $id after the tool list was replaced is the one applied.
    check.clear();
    expect(() => check.check(needs("a", { $id: "urn:same", required: [] }), {})).not.toThrow();
  });

  it("a schema that does not compile leaves the checking to the server", () => {
    const check = new ArgumentCheck("srv");
    const broken: Tool = {
      name: "broken",
      inputSchema: { type: "object", properties: { a: { type: "nope" } } } as never,
    };
    expect(() => check.check(broken, { a: 1 })).not.toThrow();
  });
});
