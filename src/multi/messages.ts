import { suggestNames } from "../client/names.js";
import { suggest } from "../config/keys.js";
import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPValidationError,
} from "../errors/errors.js";

export function asMCPError(raw: unknown, serverName: string): MCPError {
  if (isMCPError(raw)) return raw;
  return new MCPConnectionError(
    `Server "${serverName}" failed: ${raw instanceof Error ? raw.message : String(raw)}`,
    { code: "CONNECTION_CLOSED", serverName, cause: raw },
  );
}

/** NOT_FOUND that names the closest names, and the routed name when the raw name was given. */
export function notFound(
  kind: "Tool" | "Prompt",
  name: string,
  available: readonly string[],
  entries: ReadonlyArray<{ name: string; rawName: string }>,
): MCPError {
  // JavaScript callers can pass anything; a typed error beats a TypeError from deep inside.
  if (typeof name !== "string" || name === "") {
    return new MCPValidationError(
      `${kind} name must be a non-empty string, got ${name === "" ? "an empty string" : typeof name}.`,
      {
        code: "INVALID_ARGUMENTS",
        field: "name",
        rule: "name.type",
      },
    );
  }
  const byRaw = entries.filter((e) => e.rawName === name).map((e) => `"${e.name}"`);
  // A typo of a server's own name (`ecko`) is far from its routed name, so match raw names too.
  const closeRaw = suggest(
    name,
    entries.map((e) => e.rawName),
  );
  const byClose = closeRaw === undefined ? undefined : entries.find((e) => e.rawName === closeRaw);
  const hint =
    byRaw.length > 0
      ? ` Routed names carry the server: did you mean ${byRaw.join(" or ")}?`
      : byClose && suggest(name, available) === undefined
        ? ` Did you mean "${byClose.name}"?${suggestNames(name, available).replace(/^ Did you mean "[^"]*"\?/, "")}`
        : suggestNames(name, available);
  return new MCPErrorClass(`${kind} "${name}" is not available on any connected server.${hint}`, {
    code: "NOT_FOUND",
    context: {
      [kind === "Tool" ? "tool" : "prompt"]: name,
      available: available.slice(0, 50),
      total: available.length,
    },
  });
}
