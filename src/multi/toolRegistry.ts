/**
 * Names of tools and prompts across servers: `mcp__{server}__{name}`, sanitised to what LLM APIs
 * accept (`^[a-zA-Z0-9_-]{1,64}$`, OpenAI's rule), collisions resolved deterministically and
 * reported, and every prefixed name mapped back to its server and raw name through a stored table
 * (never by slicing the string: MassGen bug 10). A name that cannot be used skips that one item
 * with a warning, never the whole server (MassGen bug 9); there are no reserved names.
 */
import { createHash } from "node:crypto";

import type { Resource, ResourceTemplateType as ResourceTemplate } from "@modelcontextprotocol/client";

import { quoteServerText } from "../errors/serverText.js";

/** Prefix of every routed name. */
export const NAME_PREFIX = "mcp__";
/** Longest name LLM function-calling APIs accept. */
export const MAX_ROUTED_NAME_LENGTH = 64;
/** What LLM function-calling APIs accept (OpenAI, Anthropic, Gemini). */
export const ROUTED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Hex digits of the hash that keeps shortened names apart. */
const HASH_LENGTH = 6;

export type NameKind = "tool" | "prompt";

/** Replaces every character outside `[A-Za-z0-9_-]` with `_` (dots, spaces, slashes, non-ASCII). */
export function sanitizeNamePart(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_-]/g, "_");
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/**
 * The routed name of `raw` on `server`: `mcp__{server}__{sanitised raw}{suffix}`. When that is longer
 * than 64 characters the raw part is cut and a short hash of the raw name appended, so the result is
 * deterministic and two long names that share a beginning stay apart.
 */
export function prefixedName(server: string, raw: string, suffix = ""): string {
  const head = `${NAME_PREFIX}${sanitizeNamePart(server)}__`;
  const body = sanitizeNamePart(raw);
  const budget = MAX_ROUTED_NAME_LENGTH - head.length - suffix.length;
  if (body.length <= budget) return head + body + suffix;
  const keep = budget - HASH_LENGTH - 1;
  if (keep >= 1) return `${head}${body.slice(0, keep)}_${shortHash(raw)}${suffix}`;
  // Only a very long server name leaves this little room: the hash alone names the item.
  const room = MAX_ROUTED_NAME_LENGTH - head.length;
  return (
    head + createHash("sha256").update(`${raw}\u0000${suffix}`).digest("hex").slice(0, Math.max(1, room))
  );
}

/** Why a raw name cannot be routed, or undefined when it can. */
export function unusableNameReason(raw: unknown): string | undefined {
  if (typeof raw !== "string") return `its name is not a string (${raw === null ? "null" : typeof raw})`;
  if (raw.trim() === "") return "its name is empty";
  if (!/[A-Za-z0-9]/.test(raw)) return "its name has no ASCII letter or digit to build a routed name from";
  return undefined;
}

/** True when `name` (raw, `mcp__{server}__{raw}` or the routed form) is listed. */
export function nameListed(list: readonly string[], server: string, raw: string): boolean {
  return (
    list.includes(raw) ||
    list.includes(`${NAME_PREFIX}${server}__${raw}`) ||
    list.includes(prefixedName(server, raw))
  );
}

export interface ToolFilterLists {
  /** The server's own `allowed_tools`; when given (even empty) it replaces the client-level list. */
  serverAllowed: readonly string[] | undefined;
  serverExcluded: readonly string[];
  clientAllowed: readonly string[] | undefined;
  clientExcluded: readonly string[];
}

/**
 * The tool filter of one server, as MassGen applies it (exclusions first; the server's allow-list if it
 * has one, else the client's) but matching raw *and* prefixed names (MassGen bug 13).
 */
export function toolFilter(server: string, lists: ToolFilterLists): (raw: string) => boolean {
  const excluded = [...lists.serverExcluded, ...lists.clientExcluded];
  const allowed = lists.serverAllowed ?? lists.clientAllowed;
  return (raw) => {
    if (excluded.length > 0 && nameListed(excluded, server, raw)) return false;
    return allowed === undefined || nameListed(allowed, server, raw);
  };
}

export interface RoutedEntry<T> {
  /** The routed (prefixed, sanitised) name. */
  name: string;
  server: string;
  /** The name the server knows the item by. */
  rawName: string;
  value: T;
}

export interface NameCollision {
  kind: NameKind;
  server: string;
  rawName: string;
  /** The name this item got instead (with a suffix). */
  name: string;
  /** The item that holds the contested name. */
  conflictsWith: { server: string; rawName: string; name: string };
  message: string;
}

export interface SkippedName {
  kind: NameKind;
  server: string;
  rawName: unknown;
  reason: string;
  message: string;
}

export interface NameGroup<T> {
  server: string;
  items: ReadonlyArray<{ rawName: unknown; value: T }>;
}

export interface NameTableBuild<T> {
  entries: Map<string, RoutedEntry<T>>;
  collisions: NameCollision[];
  skipped: SkippedName[];
}

const keyOf = (server: string, raw: string) => `${server}\u0000${raw}`;

/**
 * Assigns routed names. Deterministic: servers in config order, items in the order the server lists
 * them; the first claimant of a name keeps it, later ones get `_2`, `_3`… Assignments are sticky: a
 * name once handed out keeps pointing at the same server and raw name across rebuilds (reconnects,
 * list changes), and is never given to another item, not even while its holder's server is down: a
 * caller holding `mcp__gh__repo__delete` must reach gh's `repo__delete` or nothing, never server
 * `gh__repo`'s `delete`.
 */
export class NameTable<T> {
  /** item key → the name it holds. */
  private readonly assigned = new Map<string, string>();
  /** name → the item key holding it (the reverse of `assigned`). */
  private readonly holders = new Map<string, { server: string; rawName: string }>();

  constructor(readonly kind: NameKind) {}

  /** The server and raw name a routed name was last given to (even if that server is down now). */
  lookup(name: string): { server: string; rawName: string } | undefined {
    return this.holders.get(name);
  }

  build(groups: ReadonlyArray<NameGroup<T>>): NameTableBuild<T> {
    const entries = new Map<string, RoutedEntry<T>>();
    const collisions: NameCollision[] = [];
    const skipped: SkippedName[] = [];
    const pending: Array<{ server: string; rawName: string; value: T }> = [];
    const seen = new Set<string>();

    for (const group of groups) {
      for (const item of group.items) {
        const reason = unusableNameReason(item.rawName);
        if (reason !== undefined) {
          skipped.push({
            kind: this.kind,
            server: group.server,
            rawName: item.rawName,
            reason,
            message: `Server "${group.server}": ${this.kind} ${describe(item.rawName)} is skipped because ${reason}; the server's other ${this.kind}s are available.`,
          });
          continue;
        }
        const rawName = item.rawName as string;
        const key = keyOf(group.server, rawName);
        if (seen.has(key)) continue; // A server listing the same name twice: the first definition wins.
        seen.add(key);
        const held = this.assigned.get(key);
        if (held !== undefined && !entries.has(held)) {
          entries.set(held, { name: held, server: group.server, rawName, value: item.value });
        } else {
          pending.push({ server: group.server, rawName, value: item.value });
        }
      }
    }

    for (const item of pending) {
      const base = prefixedName(item.server, item.rawName);
      let name = base;
      for (let n = 2; entries.has(name) || !this.claim(name, item.server, item.rawName); n++) {
        name = prefixedName(item.server, item.rawName, `_${n}`);
      }
      if (name !== base) {
        const owner = entries.get(base) ?? this.holders.get(base)!;
        const down = entries.has(base)
          ? ""
          : " (its server is not connected now; the name stays reserved for it)";
        collisions.push({
          kind: this.kind,
          server: item.server,
          rawName: item.rawName,
          name,
          conflictsWith: { server: owner.server, rawName: owner.rawName, name: base },
          // Raw names are the servers' text; routed names (`base`, `name`) are sanitised already.
          message: `The ${this.kind} ${quoteServerText(item.rawName)} of server "${item.server}" would be named "${base}", which ${owner.server === item.server ? "another of its" : `server "${owner.server}"'s`} ${this.kind} ${quoteServerText(owner.rawName)} already has${down}; it is available as "${name}".`,
        });
      }
      entries.set(name, { name, server: item.server, rawName: item.rawName, value: item.value });
    }
    return { entries, collisions, skipped };
  }

  /** Gives `name` to the item, unless another item holds it (even one whose server is down): false. */
  private claim(name: string, server: string, rawName: string): boolean {
    const holder = this.holders.get(name);
    if (holder !== undefined && (holder.server !== server || holder.rawName !== rawName)) return false;
    const key = keyOf(server, rawName);
    const old = this.assigned.get(key);
    if (old !== undefined) this.holders.delete(old);
    this.assigned.set(key, name);
    this.holders.set(name, { server, rawName });
    return true;
  }
}

function describe(raw: unknown): string {
  return typeof raw === "string" ? quoteServerText(raw, 80) : `(${raw === null ? "null" : typeof raw})`;
}

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
