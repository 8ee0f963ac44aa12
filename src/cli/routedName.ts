import { MCPError } from "../errors/errors.js";

/**
 * Finds a tool or prompt by its routed name (`mcp__demo__echo`) or, when only one server has it, by
 * its own name (`echo`). Undefined when nothing matches: the client then reports it with suggestions.
 */
export function resolveRoutedName<E extends { name: string; rawName: string }>(
  entries: ReadonlyMap<string, E>,
  name: string,
  kind: "Tool" | "Prompt",
): E | undefined {
  const exact = entries.get(name);
  if (exact) return exact;
  const matches = [...entries.values()].filter((entry) => entry.rawName === name);
  if (matches.length > 1) {
    const candidates = matches.map((m) => m.name);
    throw new MCPError(`${kind} "${name}" exists on several servers; use one of: ${candidates.join(", ")}.`, {
      code: "NOT_FOUND",
      context: { name, candidates },
    });
  }
  return matches[0];
}
