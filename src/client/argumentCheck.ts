import type { JsonSchemaType, JsonSchemaValidator, Tool } from "@modelcontextprotocol/client";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";

import { MCPValidationError } from "../errors/errors.js";

/**
 * Checks a call's arguments against its tool's `inputSchema` before anything is sent. Validators
 * are compiled once per tool and dropped with the tool list (`clear()`), with one Ajv per client so
 * that schemas with the same `$id` on different servers never mix.
 */
export class ArgumentCheck {
  private readonly validators = new Map<string, JsonSchemaValidator<unknown> | null>();
  private ajv: AjvJsonSchemaValidator | undefined;

  constructor(private readonly serverName: string) {}

  /** @throws MCPValidationError (INVALID_ARGUMENTS) naming the tool and what is wrong. */
  check(tool: Tool, args: Record<string, unknown>): void {
    let validator = this.validators.get(tool.name);
    if (validator === undefined) {
      // One Ajv per client, replaced with the tool list, so its cache never outgrows the tools.
      this.ajv ??= new AjvJsonSchemaValidator();
      validator = compileSchema(this.ajv, tool.inputSchema);
      this.validators.set(tool.name, validator);
    }
    if (validator === null) return;
    const outcome = validator(args);
    if (!outcome.valid) {
      throw new MCPValidationError(
        `Invalid arguments for tool "${tool.name}" on server "${this.serverName}": ${outcome.errorMessage}. Check the tool's inputSchema.`,
        {
          code: "INVALID_ARGUMENTS",
          serverName: this.serverName,
          field: "arguments",
          rule: "schema",
          context: { tool: tool.name },
        },
      );
    }
  }

  /** The tool list was replaced (or cleared): every compiled validator is stale. */
  clear(): void {
    this.validators.clear();
    this.ajv = undefined;
  }
}

/**
 * Compiles a tool's input schema once; `null` when the schema is missing or cannot be compiled.
 * A top-level `$id` is dropped: Ajv looks schemas up by `$id`, so a changed schema with the same id
 * would get the old validator.
 */
export function compileSchema(
  validator: AjvJsonSchemaValidator,
  schema: Tool["inputSchema"] | undefined,
): JsonSchemaValidator<unknown> | null {
  if (!schema || typeof schema !== "object") return null;
  try {
    const { $id: _id, ...withoutId } = schema as Record<string, unknown>;
    return validator.getValidator(withoutId as JsonSchemaType);
  } catch {
    // A server's broken schema must not make its tool uncallable; the server validates too.
    return null;
  }
}
