import type { JsonSchemaType, JsonSchemaValidator, Tool } from "@modelcontextprotocol/client";
import type { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";

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
