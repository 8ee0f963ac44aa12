import { describeType } from "../common/guards.js";
import { MCPValidationError } from "../errors/errors.js";

/** Where a JSON syntax error is, without quoting the input (which may hold user data). */
function describeJsonError(error: unknown): string {
  const message = error instanceof Error ? error.message : "";
  const position = /position (\d+)/.exec(message);
  if (position) return `syntax error at position ${position[1]}`;
  if (/unexpected end/i.test(message)) return "unexpected end of input";
  return "syntax error";
}

/**
 * Turns what a model sent as tool arguments into an argument object: a JSON string (the OpenAI
 * APIs), an object (Anthropic `input`, Gemini `args`, the AI SDK), or nothing. An empty string,
 * `"null"`, `null` and `undefined` mean "no arguments".
 *
 * @throws MCPValidationError (`INVALID_ARGUMENTS`) naming the tool: rule `json.parse` for text that
 *   is not JSON, `json.object` for JSON that is not an object.
 */
export function parseToolArguments(
  toolName: string,
  input: unknown,
  serverName?: string | undefined,
): Record<string, unknown> {
  let value = input;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.length === 0) return {};
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      throw new MCPValidationError(
        `Invalid JSON arguments for tool "${toolName}": ${describeJsonError(error)} in ${text.length} characters. The model must send the arguments as one JSON object; send this error back to it so it can retry.`,
        {
          code: "INVALID_ARGUMENTS",
          serverName,
          field: "arguments",
          rule: "json.parse",
          context: { tool: toolName, length: text.length },
        },
      );
    }
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new MCPValidationError(
      `Arguments for tool "${toolName}" must be a JSON object, got ${describeType(value)}.`,
      {
        code: "INVALID_ARGUMENTS",
        serverName,
        field: "arguments",
        rule: "json.object",
        context: { tool: toolName },
      },
    );
  }
  return value as Record<string, unknown>;
}
