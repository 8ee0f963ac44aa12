/**
 * Resources of many servers by URI (the first server in config order keeps a URI two servers list,
 * and the clash is reported), and the match of a URI against a resource template.
 */
import type { Resource, ResourceTemplateType as ResourceTemplate } from "@modelcontextprotocol/client";

import { quoteServerText } from "../errors/serverText.js";

export interface ResourceEntry {
  uri: string;
  server: string;
  resource: Resource;
}

export interface ResourceCollision {
  uri: string;
  /** The server that also lists the URI; reads go to `keptServer` unless `{ server }` is given. */
  server: string;
  keptServer: string;
  message: string;
}

/** Resources by URI; a URI two servers list goes to the first in config order, and is reported. */
export function buildResourceIndex(
  groups: ReadonlyArray<{ server: string; resources: readonly Resource[] }>,
): {
  entries: Map<string, ResourceEntry>;
  collisions: ResourceCollision[];
} {
  const entries = new Map<string, ResourceEntry>();
  const collisions: ResourceCollision[] = [];
  for (const { server, resources } of groups) {
    for (const resource of resources) {
      if (typeof resource?.uri !== "string") continue;
      const kept = entries.get(resource.uri);
      if (kept) {
        if (kept.server !== server) {
          collisions.push({
            uri: resource.uri,
            server,
            keptServer: kept.server,
            message: `Servers "${kept.server}" and "${server}" both list resource ${quoteServerText(resource.uri, 200)}; getResource() reads it from "${kept.server}" unless { server } is given.`,
          });
        }
        continue;
      }
      entries.set(resource.uri, { uri: resource.uri, server, resource });
    }
  }
  return { entries, collisions };
}

/**
 * True when `uri` can come from the RFC 6570 template (`{var}` matches one path segment, `{+var}`
 * and the other operators match anything).
 */
export function matchesTemplate(template: ResourceTemplate | string, uri: string): boolean {
  const text = typeof template === "string" ? template : template.uriTemplate;
  if (typeof text !== "string") return false;
  let pattern = "";
  let last = 0;
  for (const match of text.matchAll(/\{([^}]*)\}/g)) {
    pattern += escapeRegExp(text.slice(last, match.index));
    const operator = match[1]?.[0] ?? "";
    pattern += /[A-Za-z0-9_]/.test(operator) ? "[^/?#]+" : ".*";
    last = match.index + match[0].length;
  }
  pattern += escapeRegExp(text.slice(last));
  return new RegExp(`^${pattern}$`).test(uri);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
