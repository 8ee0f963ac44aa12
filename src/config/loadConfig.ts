import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, extname, resolve } from "node:path";

import type { ConfigIssue } from "../errors/errors.js";
import type { Environment } from "./expandVariables.js";
import { expandString } from "./expandVariables.js";
import { configurationError } from "./issues.js";
import { isPlainObject, toCamelCase } from "./keys.js";
import { checkServerConfig } from "./serverConfig.js";
import type { DocPath, SourceDocument } from "./sourceDocument.js";
import { objectDocument, parseJsonDocument, parseYamlDocument } from "./sourceDocument.js";
import type { ServerConfig } from "./types.js";

/** Which convention a config file follows. */
export type ConfigShape =
  | "mcpServers" // Claude Desktop, Claude Code (.mcp.json), Cursor, Gemini CLI, fastmcp
  | "servers" // VS Code (.vscode/mcp.json)
  | "massgen" // MassGen YAML: mcp_servers under a backend, or agents[].backend.mcp_servers
  | "list"; // a plain list of server configs

export interface LoadConfigOptions {
  /** Values for `${VAR}` expansion. @default process.env */
  environment?: Environment | undefined;
  /** Directory for `${workspaceFolder}` and `${cwd}`; defaults to the config file's project directory. */
  workspaceFolder?: string | undefined;
}

/** The result of loading a config: validated servers and what was noticed along the way. */
export interface LoadedConfig {
  servers: ServerConfig[];
  shape: ConfigShape;
  /** The file read, or undefined for an object given in code. */
  file: string | undefined;
  /** Non-fatal findings (unknown keys with suggestions, disabled servers, ignored VS Code inputs…). */
  warnings: ConfigIssue[];
  /** Client-level tool filters found in the file (MassGen backend `allowed_tools` / `exclude_tools`). */
  clientOptions: { allowedTools?: string[]; excludeTools?: string[] };
}

/** One server entry found in a document, with its location. */
interface Entry {
  raw: Record<string, unknown>;
  path: DocPath;
  /** The name from the map key, when the shape is a map. */
  key?: string;
}

interface Found {
  shape: ConfigShape;
  entries: Entry[];
  filters: Array<{ path: DocPath; value: Record<string, unknown> }>;
}

/**
 * Reads MCP server configs in every shape users already have — `{mcpServers: {…}}` (Claude Desktop,
 * Claude Code, Cursor, Gemini), VS Code `{servers: {…}}`, MassGen YAML (`mcp_servers` as a list or
 * map under a backend, `agents[].backend.mcp_servers`) or a plain list — from a JSON/JSONC/YAML file
 * or an object. Infers each transport, expands `${VAR}`, `${VAR:-default}` and `${env:VAR}`, and
 * validates every server.
 * @throws MCPConfigurationError listing every problem, with the file, the key path and the line.
 */
export async function loadConfig(
  source: string | object,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  if (typeof source !== "string") return loadDocument(objectDocument(source), undefined, options);
  const file = resolve(source);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "the file does not exist"
        : code === "EACCES"
          ? "permission denied"
          : String((error as Error).message);
    throw configurationError(
      `config file ${file}`,
      [{ path: "", message: `cannot read ${file}: ${why}`, rule: "config.file", file }],
      [],
      { configFile: file },
    );
  }
  return loadDocument(parseText(text, file), file, options);
}

/** Parses config text by extension: `.yaml`/`.yml` as YAML, anything else as JSON with comments. */
export function parseText(text: string, file?: string): SourceDocument {
  const ext = file ? extname(file).toLowerCase() : "";
  if (ext === ".yaml" || ext === ".yml") return parseYamlDocument(text, file);
  const json = parseJsonDocument(text, file);
  if (json.errors.length === 0 || ext === ".json" || ext === ".jsonc") return json;
  return parseYamlDocument(text, file);
}

/** Loads from an already parsed document (exposed for the CLI's `validate`). */
export function loadDocument(
  doc: SourceDocument,
  file: string | undefined,
  options: LoadConfigOptions = {},
): LoadedConfig {
  const subject = file ? `config file ${file}` : "config";
  const locate = (path: DocPath): { file?: string; line?: number } => {
    const line = doc.lineOf(path);
    return { ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) };
  };
  if (doc.errors.length > 0)
    throw configurationError(subject, doc.errors, [], file ? { configFile: file } : {});

  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const found = findServers(doc.value);
  if (!found) {
    throw configurationError(
      subject,
      [
        {
          path: "",
          message:
            "no MCP servers found; expected mcpServers: {…} (Claude, Cursor), servers: {…} (VS Code), mcp_servers (MassGen, also under backend or agents[].backend) or a list of server configs",
          rule: "config.shape",
          ...locate([]),
        },
      ],
      [],
      file ? { configFile: file } : {},
    );
  }

  const variables = variableContext(file, options);
  const servers: ServerConfig[] = [];
  const seen = new Map<string, DocPath>();
  for (const entry of found.entries) {
    const where = renderPath(entry.path);
    if (entry.raw.disabled === true) {
      warnings.push({
        path: where,
        message: "server is disabled (disabled: true) and was skipped",
        rule: "config.disabled",
        ...locate(entry.path),
      });
      continue;
    }
    const { value: normalised, notes } = normaliseEntry(entry);
    for (const note of notes)
      warnings.push({
        path: `${where}.${note.key}`,
        message: note.message,
        rule: "config.alias",
        ...locate([...entry.path, note.key]),
      });
    const expanded = expandDeep(normalised, [], variables);
    for (const missing of expanded.missing) {
      issues.push({
        path: `${where}.${renderPath(missing.path)}`,
        message: `environment variable "${missing.name}" is not set; export it or write \${${missing.name}:-default}`,
        rule: "env.unsetVariable",
        ...locate([...entry.path, ...missing.path]),
      });
    }
    const check = checkServerConfig(expanded.value);
    const relocate = (issue: ConfigIssue): ConfigIssue => {
      const docPath = issueDocPath(entry, issue.path, doc);
      return { ...issue, path: issue.path ? `${where}.${issue.path}` : where, ...locate(docPath) };
    };
    issues.push(...check.issues.map(relocate));
    warnings.push(...check.warnings.map(relocate));
    if (!check.config) continue;
    const previous = seen.get(check.config.name);
    if (previous) {
      issues.push({
        path: where,
        message: `duplicate server name "${check.config.name}" (also at ${renderPath(previous)}); server names must be unique`,
        rule: "config.duplicateName",
        ...locate(entry.path),
      });
      continue;
    }
    seen.set(check.config.name, entry.path);
    if (expanded.missing.length === 0) servers.push(check.config);
  }

  const clientOptions: LoadedConfig["clientOptions"] = {};
  for (const filter of found.filters) {
    for (const key of ["allowed_tools", "exclude_tools"] as const) {
      const value = filter.value[key] ?? filter.value[toCamelCase(key)];
      if (value === undefined) continue;
      const path = [...filter.path, key];
      if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
        issues.push({
          path: renderPath(path),
          message: `${key} must be a list of tool names (strings)`,
          rule: "config.schema",
          ...locate(path),
        });
        continue;
      }
      const target = key === "allowed_tools" ? "allowedTools" : "excludeTools";
      clientOptions[target] = [...(clientOptions[target] ?? []), ...(value as string[])];
    }
  }

  if (issues.length > 0) {
    // In file order: a reader fixes a file top to bottom.
    const byLine = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    throw configurationError(subject, byLine, warnings, file ? { configFile: file } : {});
  }
  return { servers, shape: found.shape, file, warnings, clientOptions };
}

/** Finds the server entries in any supported shape. */
function findServers(value: unknown): Found | undefined {
  if (Array.isArray(value)) return { shape: "list", entries: entriesOf(value, []), filters: [] };
  if (!isPlainObject(value)) return undefined;
  if (value.mcpServers !== undefined)
    return { shape: "mcpServers", entries: entriesOf(value.mcpServers, ["mcpServers"]), filters: [] };
  if (isPlainObject(value.servers))
    return { shape: "servers", entries: entriesOf(value.servers, ["servers"]), filters: [] };
  const found: Found = { shape: "massgen", entries: [], filters: [] };
  collectMassGen(value, [], found);
  if (isPlainObject(value.backend)) collectMassGen(value.backend, ["backend"], found);
  const agents = value.agents;
  if (Array.isArray(agents)) {
    agents.forEach((agent, i) => {
      if (isPlainObject(agent) && isPlainObject(agent.backend))
        collectMassGen(agent.backend, ["agents", i, "backend"], found);
    });
  } else if (isPlainObject(agents)) {
    for (const [id, agent] of Object.entries(agents)) {
      if (isPlainObject(agent) && isPlainObject(agent.backend))
        collectMassGen(agent.backend, ["agents", id, "backend"], found);
    }
  }
  if (found.entries.length > 0 || found.filters.length > 0) return found;
  // A single server object (`name` plus `command` or `url`).
  if (typeof value.name === "string" && (value.command !== undefined || value.url !== undefined)) {
    return { shape: "list", entries: [{ raw: value, path: [] }], filters: [] };
  }
  return undefined;
}

function collectMassGen(backend: Record<string, unknown>, path: DocPath, found: Found): void {
  const servers = backend.mcp_servers ?? backend.mcpServers;
  if (servers === undefined) return;
  const key = backend.mcp_servers !== undefined ? "mcp_servers" : "mcpServers";
  found.entries.push(...entriesOf(servers, [...path, key]));
  if (
    backend.allowed_tools !== undefined ||
    backend.exclude_tools !== undefined ||
    backend.allowedTools !== undefined ||
    backend.excludeTools !== undefined
  ) {
    found.filters.push({ path, value: backend });
  }
}

function entriesOf(servers: unknown, path: DocPath): Entry[] {
  if (Array.isArray(servers)) {
    return servers.map((raw, i) => ({
      raw: isPlainObject(raw) ? raw : { __notAnObject: raw },
      path: [...path, i],
    }));
  }
  if (isPlainObject(servers)) {
    // MassGen treats a dict with a `type` key as one server, not a name → config map.
    if (typeof servers.type === "string" && (servers.command !== undefined || servers.url !== undefined)) {
      return [{ raw: servers, path }];
    }
    return Object.entries(servers).map(([key, raw]) => ({
      raw: isPlainObject(raw) ? raw : { __notAnObject: raw },
      path: [...path, key],
      key,
    }));
  }
  return [{ raw: { __notAnObject: servers }, path }];
}

/** Maps the spellings of other hosts onto ours, and reports each change. */
function normaliseEntry(entry: Entry): { value: unknown; notes: Array<{ key: string; message: string }> } {
  if ("__notAnObject" in entry.raw) return { value: entry.raw.__notAnObject, notes: [] };
  const value: Record<string, unknown> = { ...entry.raw };
  const notes: Array<{ key: string; message: string }> = [];
  if (entry.key !== undefined) {
    if (typeof value.name === "string" && value.name !== entry.key) {
      notes.push({ key: "name", message: `name "${value.name}" is replaced by the map key "${entry.key}"` });
    }
    value.name = entry.key;
  }
  delete value.disabled;
  for (const alias of ["httpUrl", "serverUrl"] as const) {
    if (value[alias] === undefined) continue;
    if (value.url === undefined) {
      value.url = value[alias];
      if (value.type === undefined && alias === "httpUrl") value.type = "streamable-http";
    } else {
      notes.push({ key: alias, message: `${alias} is ignored because url is also given` });
    }
    delete value[alias];
  }
  if (value.transport !== undefined && value.type === undefined) {
    value.type = value.transport;
    delete value.transport;
  }
  if (value.includeTools !== undefined) {
    if (value.allowedTools === undefined && value.allowed_tools === undefined)
      value.allowedTools = value.includeTools;
    else
      notes.push({
        key: "includeTools",
        message: "includeTools is ignored because allowed_tools is also given",
      });
    delete value.includeTools;
  }
  return { value, notes };
}

interface VariableContext {
  env: Environment;
  builtins: Record<string, string>;
}

function variableContext(file: string | undefined, options: LoadConfigOptions): VariableContext {
  const configDir = file ? dirname(file) : process.cwd();
  // `.vscode/mcp.json` and `.cursor/mcp.json` live one level below the project folder.
  const workspace =
    options.workspaceFolder ?? (/[\\/]\.(vscode|cursor)$/.test(configDir) ? dirname(configDir) : configDir);
  return {
    env: options.environment ?? process.env,
    builtins: { workspaceFolder: workspace, cwd: workspace, userHome: homedir() },
  };
}

/** Expands variables in every string of a value; keys are left alone. */
function expandDeep(
  value: unknown,
  path: Array<string | number>,
  context: VariableContext,
): { value: unknown; missing: Array<{ path: Array<string | number>; name: string }> } {
  const missing: Array<{ path: Array<string | number>; name: string }> = [];
  const walk = (node: unknown, at: Array<string | number>): unknown => {
    if (typeof node === "string") {
      const withBuiltins = node.replace(
        /\$\{(workspaceFolder|userHome|cwd)\}/g,
        (_m, name: string) => context.builtins[name] ?? "",
      );
      const { value: expanded, missing: names } = expandString(withBuiltins, context.env);
      for (const name of names) missing.push({ path: at, name });
      return expanded;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(node))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...at, k])]));
    return node;
  };
  return { value: walk(value, path), missing };
}

/** Turns an issue path relative to a server (`env.API_KEY`, `args[2]`) into a document path. */
function issueDocPath(entry: Entry, issuePath: string, doc: SourceDocument): DocPath {
  if (!issuePath) return entry.path;
  const parts: Array<string | number> = [];
  for (const match of issuePath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  // Issue paths use snake_case; the file may use camelCase. Use whichever spelling the file has,
  // and fall back to the closest enclosing key that exists.
  for (let length = parts.length; length > 0; length--) {
    const snake = [...entry.path, ...parts.slice(0, length)];
    if (doc.lineOf(snake) !== undefined) return snake;
    const camel = [
      ...entry.path,
      ...parts.slice(0, length).map((p) => (typeof p === "string" ? toCamelCase(p) : p)),
    ];
    if (doc.lineOf(camel) !== undefined) return camel;
  }
  return entry.path;
}

/** `["mcpServers", "github", "env"]` → `mcpServers.github.env`; indexes as `[2]`. */
export function renderPath(path: DocPath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out ? `.${part}` : part;
  return out;
}
