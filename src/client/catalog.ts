import type {
  Client,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from "@modelcontextprotocol/client";

import { settledInOrder } from "../common/deadline.js";
import type { EventHub } from "../common/events.js";
import { READ_RETRIES, READ_RETRY_DELAY_MS } from "../config/defaults.js";
import type { ServerConfig } from "../config/types.js";
import { isMCPError, MCPConnectionError } from "../errors/errors.js";
import { quoteServerText, sanitizeServerText } from "../errors/serverText.js";
import { Backoff } from "../resilience/backoff.js";
import { sleepOn, systemClock } from "../resilience/clock.js";
import { configuredToolFilter } from "../routing/toolFilter.js";
import type { ClientEvents } from "./events.js";
import type { MCPClientOptions } from "./options.js";
import type { RequestRunner } from "./requestRunner.js";
import { type ListMethod, requestList } from "./sdkInternals.js";

/** A paginated list stops after this many pages even if the cursors keep changing. */
const MAX_LIST_PAGES = 10_000;

type ListKind = "tools" | "resources" | "prompts";

/** What the catalog needs of the client around it. */
export interface CatalogScope {
  name: string;
  config: ServerConfig;
  options: MCPClientOptions;
  events: EventHub<ClientEvents>;
  runner: RequestRunner;
  /** The current connection's SDK client and generation (a list read for an older one is dropped). */
  sdk(): Client | undefined;
  generation(): number;
  /** The tool list was replaced: compiled argument validators are stale. */
  toolsReplaced(): void;
}

/**
 * What one server offers: discovery of tools, resources, templates and prompts (asked for at once,
 * following pagination with loop detection), the allow/exclude tool filter, and the refresh after a
 * `list_changed` notification (single flight per list, read again when one arrived meanwhile).
 */
export class Catalog {
  tools = new Map<string, Tool>();
  resources = new Map<string, Resource>();
  templates: ResourceTemplate[] = [];
  prompts = new Map<string, Prompt>();
  private readonly refreshing = new Map<ListKind, Promise<void>>();
  /** Lists whose `list_changed` arrived while they were being refreshed. */
  private readonly refreshAgain = new Set<ListKind>();

  constructor(private readonly scope: CatalogScope) {}

  private get name(): string {
    return this.scope.name;
  }

  private get events(): EventHub<ClientEvents> {
    return this.scope.events;
  }

  private get generation(): number {
    return this.scope.generation();
  }

  clear(): void {
    this.tools = new Map();
    this.resources = new Map();
    this.templates = [];
    this.prompts = new Map();
  }

  registerNotificationHandlers(sdk: Client): void {
    const capabilities = sdk.getServerCapabilities() ?? {};
    if (capabilities.tools) {
      sdk.setNotificationHandler("notifications/tools/list_changed", () => this.refresh("tools"));
    }
    if (capabilities.resources) {
      sdk.setNotificationHandler("notifications/resources/list_changed", () => this.refresh("resources"));
    }
    if (capabilities.prompts) {
      sdk.setNotificationHandler("notifications/prompts/list_changed", () => this.refresh("prompts"));
    }
  }

  /** Re-reads one list after a `list_changed` notification; concurrent notifications share one refresh. */
  refresh(kind: ListKind): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) {
      // The running refresh may already have read the old list: read it once more afterwards.
      this.refreshAgain.add(kind);
      return running;
    }
    const sdk = this.scope.sdk();
    const generation = this.generation;
    if (!sdk) return Promise.resolve();
    const work = (async () => {
      try {
        do {
          this.refreshAgain.delete(kind);
          if (kind === "tools") await this.discoverTools(sdk, generation);
          else if (kind === "resources") await this.discoverResources(sdk, generation);
          else await this.discoverPrompts(sdk, generation);
        } while (this.refreshAgain.has(kind) && generation === this.generation);
        if (generation !== this.generation) return;
        this.events.emit("listChanged", {
          server: this.name,
          kind,
          message: `Server "${this.name}" changed its ${kind}; the list was refreshed`,
        });
      } catch (error) {
        if (generation !== this.generation) return;
        this.events.emit("warning", {
          server: this.name,
          kind: "refresh-failed",
          // An MCPError's message is already clean; anything else may carry the server's raw text.
          message: `Refreshing ${kind} of server "${this.name}" failed: ${isMCPError(error) ? error.message : sanitizeServerText(String((error as Error | undefined)?.message ?? error))}`,
        });
      }
    })().finally(() => this.refreshing.delete(kind));
    this.refreshing.set(kind, work);
    return work;
  }

  /**
   * The lists are independent, so they are asked for at once: two or three round trips fewer per
   * connect (milliseconds on a local HTTP server, far more on a remote one). Failures are reported in
   * the fixed order tools, resources, prompts, as when they were asked for one after another.
   */
  async discover(sdk: Client, generation: number): Promise<void> {
    await settledInOrder([
      this.discoverTools(sdk, generation),
      this.discoverResources(sdk, generation),
      this.discoverPrompts(sdk, generation),
    ]);
  }

  private async discoverTools(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.tools) {
      this.tools = new Map();
      return;
    }
    const tools = await this.listAll<Tool>(sdk, "tools/list", "tools", generation);
    const keep = this.toolFilter();
    const map = new Map<string, Tool>();
    for (const tool of tools) {
      if (typeof tool?.name !== "string") continue;
      if (!keep(tool)) continue;
      if (map.has(tool.name)) {
        this.events.emit("warning", {
          server: this.name,
          kind: "duplicate-tool",
          message: `Server "${this.name}" listed tool ${quoteServerText(tool.name)} twice; the first definition is kept`,
        });
        continue;
      }
      map.set(tool.name, tool);
    }
    if (generation !== this.generation) return;
    this.tools = map;
    this.scope.toolsReplaced();
  }

  /**
   * The `toolFilter` option, or else the allow/exclude lists through the one filter both clients use
   * (`routing/toolFilter.ts`): the server's `allowed_tools` takes precedence over the client's, both
   * exclusion lists apply, and a list may name a tool raw, prefixed or by its routed name
   * (test/unit/routing/toolFilter.test.ts, test/unit/client/catalog.test.ts).
   */
  private toolFilter(): (tool: Tool) => boolean {
    const { config, options } = this.scope;
    // Called as a method of the options, as `options.toolFilter(tool)` would: a filter may use `this`.
    const custom = options.toolFilter;
    if (custom) return (tool) => custom.call(options, tool);
    const keep = configuredToolFilter(this.name, config, options);
    return (tool) => keep(tool.name);
  }

  private async discoverResources(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.resources) {
      this.resources = new Map();
      this.templates = [];
      return;
    }
    const [resources, templates] = await settledInOrder([
      this.listAll<Resource>(sdk, "resources/list", "resources", generation, true),
      this.listAll<ResourceTemplate>(sdk, "resources/templates/list", "resourceTemplates", generation, true),
    ] as const);
    if (generation !== this.generation) return;
    this.resources = new Map(resources.filter((r) => typeof r?.uri === "string").map((r) => [r.uri, r]));
    this.templates = templates.filter((t) => typeof t?.uriTemplate === "string");
  }

  private async discoverPrompts(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.prompts) {
      this.prompts = new Map();
      return;
    }
    const prompts = await this.listAll<Prompt>(sdk, "prompts/list", "prompts", generation, true);
    if (generation !== this.generation) return;
    this.prompts = new Map(prompts.filter((p) => typeof p?.name === "string").map((p) => [p.name, p]));
  }

  /**
   * Follows `nextCursor` to the end. A cursor seen before ends the walk with a warning (a server
   * whose pagination loops would otherwise hang discovery). With `optional`, a server that does not
   * implement the method (-32601) yields an empty list instead of failing the connect.
   */
  private async listAll<T>(
    sdk: Client,
    method: ListMethod,
    key: string,
    generation: number,
    optional = false,
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let result: Record<string, unknown>;
      const params = cursor === undefined ? {} : { cursor };
      try {
        result = await this.readOnlyWithRetry(method, () =>
          this.scope.runner.run({ label: method, timeoutSeconds: this.scope.config.timeout }, (options) =>
            requestList(sdk, method, params, options),
          ),
        );
      } catch (error) {
        if (optional && (error as { rpcCode?: number }).rpcCode === -32601) return items;
        throw error;
      }
      if (generation !== this.generation) return items;
      const pageItems = result[key];
      // Not `push(...page)`: spreading passes every item as an argument, and a page of some 130,000
      // items (a few MB, well within max_message_bytes) overflowed the stack with a RangeError.
      if (Array.isArray(pageItems)) for (const item of pageItems as T[]) items.push(item);
      const next = result["nextCursor"];
      if (typeof next !== "string" || next === "") return items;
      if (seen.has(next)) {
        this.events.emit("warning", {
          server: this.name,
          kind: "pagination-loop",
          message: `Server "${this.name}" repeated the cursor ${quoteServerText(next, 80)} in ${method}; stopped after ${page + 1} pages with ${items.length} items`,
        });
        return items;
      }
      seen.add(next);
      cursor = next;
    }
    this.events.emit("warning", {
      server: this.name,
      kind: "pagination-limit",
      message: `Server "${this.name}" returned more than ${MAX_LIST_PAGES} pages for ${method}; stopped there`,
    });
    return items;
  }

  /**
   * Read-only list requests over HTTP are retried up to twice on a transient HTTP status (5xx, 408,
   * 429), with a short jittered backoff (docs/fault-matrix.md, row 18). Nothing else is ever retried here: a
   * `tools/call` may have side effects, and a dead stdio process is not transient.
   */
  private async readOnlyWithRetry<T>(method: string, request: () => Promise<T>): Promise<T> {
    const backoff = new Backoff({ initialDelayMs: READ_RETRY_DELAY_MS, maxDelayMs: READ_RETRY_DELAY_MS * 4 });
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const status =
          error instanceof MCPConnectionError && error.code === "HTTP_STATUS" ? error.httpStatus : undefined;
        const transient = status !== undefined && (status >= 500 || status === 408 || status === 429);
        if (!transient || attempt >= READ_RETRIES || this.scope.config.type === "stdio") throw error;
        this.events.emit("warning", {
          server: this.name,
          kind: "retry",
          message: `${method} on server "${this.name}" got HTTP ${status}; retrying (${attempt + 1} of ${READ_RETRIES})`,
        });
        await sleepOn(systemClock, backoff.next());
      }
    }
  }
}
