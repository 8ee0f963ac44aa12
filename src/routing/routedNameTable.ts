/**
 * The table of routed names: every `mcp__{server}__{name}` handed out is stored with its server and
 * raw name, and a routed name is mapped back through the table, never by slicing the string (a
 * server or tool name may itself contain `__`). A name that cannot be used skips that one item with
 * a warning, never the whole server; there are no reserved names.
 */
import { quoteServerText } from "../errors/serverText.js";
import type { NameKind } from "./routedNames.js";
import { prefixedName, unusableNameReason } from "./routedNames.js";

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

export interface RoutedNameTableBuild<T> {
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
export class RoutedNameTable<T> {
  /** item key → the name it holds. */
  private readonly assigned = new Map<string, string>();
  /** name → the item key holding it (the reverse of `assigned`). */
  private readonly holders = new Map<string, { server: string; rawName: string }>();

  constructor(readonly kind: NameKind) {}

  /** The server and raw name a routed name was last given to (even if that server is down now). */
  lookup(name: string): { server: string; rawName: string } | undefined {
    return this.holders.get(name);
  }

  build(groups: ReadonlyArray<NameGroup<T>>): RoutedNameTableBuild<T> {
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
