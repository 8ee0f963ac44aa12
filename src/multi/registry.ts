import type { Prompt, Tool } from "@modelcontextprotocol/client";

import type { EventHub } from "../client/events.js";
import type { ResourceEntry } from "../routing/resourceIndex.js";
import { buildResourceIndex } from "../routing/resourceIndex.js";
import type { NameGroup, RoutedEntry, RoutedNameTableBuild } from "../routing/routedNameTable.js";
import { RoutedNameTable } from "../routing/routedNameTable.js";
import type { MultiClientEvents, MultiPromptEntry, MultiToolEntry } from "./options.js";
import type { ServerSlot, Snapshot } from "./serverSlot.js";

type LiveSlot = ServerSlot & { snapshot: Snapshot };

/**
 * The routed tables of a MultiMCPClient: tools and prompts by `mcp__{server}__{name}`, resources by
 * URI, built from the servers that are connected or reconnecting. Names once handed out stay with
 * their item (see RoutedNameTable); every collision and unusable name is reported once.
 */
export class Registry {
  private readonly toolTable = new RoutedNameTable<Tool>("tool");
  private readonly promptTable = new RoutedNameTable<Prompt>("prompt");
  private toolEntries = new Map<string, MultiToolEntry>();
  private promptEntries = new Map<string, MultiPromptEntry>();
  private resourceEntries = new Map<string, ResourceEntry>();
  private readonly reported = new Set<string>();

  constructor(private readonly events: EventHub<MultiClientEvents>) {}

  get tools(): ReadonlyMap<string, MultiToolEntry> {
    return this.toolEntries;
  }

  get prompts(): ReadonlyMap<string, MultiPromptEntry> {
    return this.promptEntries;
  }

  get resources(): ReadonlyMap<string, ResourceEntry> {
    return this.resourceEntries;
  }

  /** The server and raw name a routed tool name was given to, even while that server is down. */
  heldTool(name: string): { server: string; rawName: string } | undefined {
    return this.toolTable.lookup(name);
  }

  /** Routed names of one server's tools. */
  toolsOf(server: string): string[] {
    return [...this.toolEntries.values()].filter((e) => e.server === server).map((e) => e.name);
  }

  /**
   * Rebuilds the routed tables from the servers that are connected or reconnecting, keeping names
   * already handed out, and reports new collisions, skipped names and (with `announce`) changes.
   */
  rebuild(slots: readonly ServerSlot[], announce: boolean): void {
    const live = slots.filter(
      (slot): slot is LiveSlot =>
        slot.snapshot !== undefined && (slot.state === "connected" || slot.state === "reconnecting"),
    );
    const tools = project(this.toolTable, live, (snapshot) => snapshot.tools, toolEntry);
    const prompts = project(this.promptTable, live, (snapshot) => snapshot.prompts, promptEntry);
    const resources = buildResourceIndex(
      live.map((slot) => ({ server: slot.name, resources: slot.snapshot.resources })),
    );
    const previous = this.toolEntries;
    this.toolEntries = tools.entries;
    this.promptEntries = prompts.entries;
    this.resourceEntries = resources.entries;

    for (const skip of [...tools.build.skipped, ...prompts.build.skipped]) {
      if (this.once(`skip:${skip.kind}:${skip.server}:${String(skip.rawName)}`)) {
        this.events.emit("warning", {
          server: skip.server,
          kind: `${skip.kind}-name-unusable`,
          message: skip.message,
        });
      }
    }
    for (const collision of [...tools.build.collisions, ...prompts.build.collisions]) {
      const key = `collision:${collision.kind}:${collision.server}:${collision.rawName}:${collision.name}`;
      if (this.once(key)) {
        this.events.emit("nameCollision", {
          server: collision.server,
          kind: collision.kind,
          rawName: collision.rawName,
          name: collision.name,
          conflictsWith: collision.conflictsWith,
          message: collision.message,
        });
      }
    }
    for (const collision of resources.collisions) {
      if (this.once(`collision:resource:${collision.server}:${collision.uri}:${collision.keptServer}`)) {
        this.events.emit("nameCollision", {
          server: collision.server,
          kind: "resource",
          rawName: collision.uri,
          name: collision.uri,
          conflictsWith: { server: collision.keptServer, rawName: collision.uri, name: collision.uri },
          message: collision.message,
        });
      }
    }

    if (announce) this.announceToolChanges(slots, previous);
  }

  /** True the first time `key` is seen: each collision and skipped name is reported once. */
  private once(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }

  private announceToolChanges(
    slots: readonly ServerSlot[],
    previous: ReadonlyMap<string, MultiToolEntry>,
  ): void {
    for (const slot of slots) {
      const before = [...previous.values()].filter((e) => e.server === slot.name).map((e) => e.name);
      const after = this.toolsOf(slot.name);
      const added = after.filter((name) => !before.includes(name));
      const removed = before.filter((name) => !after.includes(name));
      if (added.length === 0 && removed.length === 0) continue;
      this.events.emit("toolsChanged", {
        server: slot.name,
        added,
        removed,
        message: `Tools of server "${slot.name}" changed: ${added.length} added, ${removed.length} removed`,
      });
    }
  }
}

/**
 * One routed table (tools or prompts) over the live servers: each server's items in the order it
 * lists them, named by the table, and turned into the public entries.
 */
function project<T extends { name?: unknown }, E>(
  table: RoutedNameTable<T>,
  live: readonly LiveSlot[],
  itemsOf: (snapshot: Snapshot) => readonly T[],
  entryOf: (entry: RoutedEntry<T>) => E,
): { entries: Map<string, E>; build: RoutedNameTableBuild<T> } {
  const groups: Array<NameGroup<T>> = live.map((slot) => ({
    server: slot.name,
    items: itemsOf(slot.snapshot).map((item) => ({ rawName: item?.name, value: item })),
  }));
  const build = table.build(groups);
  return { entries: new Map([...build.entries.values()].map((e) => [e.name, entryOf(e)])), build };
}

/** The fields every routed entry has, in the order the entries list them. */
function entryBase<T extends { description?: string | undefined }>(e: RoutedEntry<T>) {
  return { name: e.name, server: e.server, rawName: e.rawName, description: e.value.description };
}

function toolEntry(e: RoutedEntry<Tool>): MultiToolEntry {
  return Object.freeze({
    ...entryBase(e),
    inputSchema: e.value.inputSchema,
    outputSchema: e.value.outputSchema,
    annotations: e.value.annotations,
    tool: e.value,
  });
}

function promptEntry(e: RoutedEntry<Prompt>): MultiPromptEntry {
  return Object.freeze({ ...entryBase(e), arguments: e.value.arguments, prompt: e.value });
}
