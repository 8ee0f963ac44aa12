import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, extname, resolve } from "node:path";
import { isDeepStrictEqual } from "node:util";

import { joinKeyPath, parseKeyPath, renderKeyPath } from "../common/keyPath.js";
import { ownValue } from "../common/objects.js";
import type { ConfigIssue } from "../errors/errors.js";
import type { Environment } from "./expandVariables.js";
import { expandString } from "./expandVariables.js";
import { configurationError, sanitizeIssues } from "./issues.js";
import type { ConfigFinding } from "./keys.js";
import { findingIssue, isPlainObject, snapshotConfig, toCamelCase } from "./keys.js";
import { checkServerConfig } from "./serverConfig.js";
import { duplicateNameIssue, serverListEntries, ServerNames } from "./serverList.js";
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
}

/** Marks an entry whose value is not an object (a key no document can contain). */
const NOT_AN_OBJECT = Symbol("notAnObject");

/** One server entry found in a document, with its location. */
interface Entry {
  raw: Record<string, unknown>;
  path: DocPath;
  /** The name from the map key, when the shape is a map. */
  key?: string;
  /** The MassGen backend (or agent) this server belongs to, and its tool filters. */
  backend?: { path: DocPath; value: Record<string, unknown> };
}

interface Found {
  shape: ConfigShape;
  entries: Entry[];
}

/**
 * The parts of a document that finding the servers read. Only a refusal there matters: a MassGen
 * file holds much more than servers (`ui`, agent prompts), none of it read or returned.
 */
interface ReadParts {
  /** Read whole: server entries and backends' tool filters. */
  subtrees: DocPath[];
  /** Objects read for some of their keys: the root, backends, agents. */
  objects: DocPath[];
  /** Maps and lists whose every key or index is read: server maps and lists, agents. */
  collections: DocPath[];
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
  // One snapshot of the document (an object given in code is read once, getters included); the
  // servers are read from it, and what it refused is reported, with its line, where it was read.
  const scan = snapshotConfig(doc.value);
  const read: ReadParts = { subtrees: [], objects: [], collections: [] };
  const found = findServers(scan.value, read);
  for (const finding of scan.findings.filter((f) => wasRead(f, read))) {
    // A key that came in through a YAML merge (`<<: *base`) has no line of its own: use the
    // closest enclosing key that has one.
    let at = finding.path;
    while (at.length > 0 && doc.lineOf(at) === undefined) at = at.slice(0, -1);
    issues.push({ ...findingIssue(finding), ...locate(at) });
  }
  if (!found) {
    throw configurationError(
      subject,
      [
        ...issues,
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
  const names = new ServerNames<{ path: DocPath; raw: unknown; backend: unknown }>();
  const checkedBackends = new Set<Record<string, unknown>>();
  for (const entry of found.entries) {
    const where = renderKeyPath(entry.path);
    if (entry.backend && !checkedBackends.has(entry.backend.value)) {
      checkedBackends.add(entry.backend.value);
      issues.push(...backendFilterIssues(entry.backend, locate));
    }
    if (entry.raw.disabled === true) {
      warnings.push({
        path: where,
        message: "server is disabled (disabled: true) and was skipped",
        rule: "config.disabled",
        ...locate(entry.path),
      });
      continue;
    }
    const rawName = entry.key ?? (typeof entry.raw.name === "string" ? entry.raw.name : undefined);
    const previous =
      rawName === undefined
        ? undefined
        : names.claim(rawName, { path: entry.path, raw: entry.raw, backend: entry.backend?.value });
    if (previous && rawName !== undefined) {
      // The same server listed by several MassGen agents is one server here; a different one is a clash.
      const otherAgent = entry.backend !== undefined && previous.backend !== entry.backend.value;
      if (otherAgent && isDeepStrictEqual(stripName(previous.raw), stripName(entry.raw))) {
        warnings.push({
          path: where,
          message: `server "${rawName}" is also defined at ${renderKeyPath(previous.path)} with the same settings; it is used once`,
          rule: "config.sharedServer",
          ...locate(entry.path),
        });
      } else {
        issues.push({
          ...duplicateNameIssue(rawName, where, renderKeyPath(previous.path)),
          ...locate(entry.path),
        });
      }
      continue;
    }
    const { value: normalised, notes } = normaliseEntry(entry);
    for (const note of notes)
      warnings.push({
        path: renderKeyPath([note.key], where),
        message: note.message,
        rule: "config.alias",
        ...locate([...entry.path, note.key]),
      });
    const expanded = expandDeep(normalised, [], variables);
    for (const missing of expanded.missing) {
      issues.push({
        path: renderKeyPath(missing.path, where),
        message: `environment variable "${missing.name}" is not set; export it or write \${${missing.name}:-default}`,
        rule: "env.unsetVariable",
        ...locate([...entry.path, ...missing.path]),
      });
    }
    const check = checkServerConfig(expanded.value);
    const relocate = (issue: ConfigIssue): ConfigIssue => {
      const docPath = issueDocPath(entry, issue.path, doc);
      return { ...issue, path: joinKeyPath(where, issue.path), ...locate(docPath) };
    };
    issues.push(...check.issues.map(relocate));
    warnings.push(...check.warnings.map(relocate));
    if (check.config && expanded.missing.length === 0) servers.push(check.config);
  }

  if (issues.length > 0) {
    // In file order: a reader fixes a file top to bottom.
    const byLine = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    throw configurationError(subject, byLine, warnings, file ? { configFile: file } : {});
  }
  // Handed back with a valid config: keys of an untrusted file may carry escape codes.
  return { servers, shape: found.shape, file, warnings: sanitizeIssues(warnings) };
}

/** Finds the server entries in any supported shape, and notes in `read` what it read. */
function findServers(value: unknown, read: ReadParts): Found | undefined {
  const found = findEntries(value, read);
  for (const entry of found?.entries ?? []) {
    read.subtrees.push(entry.path);
    if (entry.backend) {
      for (const key of [...FILTER_KEYS.allowed, ...FILTER_KEYS.exclude])
        if (entry.backend.value[key] !== undefined) read.subtrees.push([...entry.backend.path, key]);
    }
  }
  return found;
}

function findEntries(value: unknown, read: ReadParts): Found | undefined {
  if (Array.isArray(value)) return { shape: "list", entries: entriesOf(value, [], read) };
  if (!isPlainObject(value)) return undefined;
  read.objects.push([]);
  if (value.mcpServers !== undefined)
    return { shape: "mcpServers", entries: entriesOf(value.mcpServers, ["mcpServers"], read) };
  if (isPlainObject(value.servers))
    return { shape: "servers", entries: entriesOf(value.servers, ["servers"], read) };
  const found: Found = { shape: "massgen", entries: [] };
  collectMassGen(value, [], found, read);
  if (isPlainObject(value.backend)) {
    read.objects.push(["backend"]);
    collectMassGen(value.backend, ["backend"], found, read);
  }
  const agents = value.agents;
  const agent = (entry: unknown, path: DocPath): void => {
    if (!isPlainObject(entry)) return;
    read.objects.push(path);
    if (!isPlainObject(entry.backend)) return;
    read.objects.push([...path, "backend"]);
    collectMassGen(entry.backend, [...path, "backend"], found, read);
  };
  if (Array.isArray(agents)) {
    read.collections.push(["agents"]);
    agents.forEach((entry, i) => agent(entry, ["agents", i]));
  } else if (isPlainObject(agents)) {
    read.collections.push(["agents"]);
    for (const [id, entry] of Object.entries(agents)) agent(entry, ["agents", id]);
  }
  if (found.entries.length > 0) return found;
  // A single server object (`name` plus `command` or `url`).
  if (typeof value.name === "string" && (value.command !== undefined || value.url !== undefined)) {
    return { shape: "list", entries: [{ raw: value, path: [] }] };
  }
  return undefined;
}

function collectMassGen(
  backend: Record<string, unknown>,
  path: DocPath,
  found: Found,
  read: ReadParts,
): void {
  const servers = backend.mcp_servers ?? backend.mcpServers;
  if (servers === undefined) return;
  const key = backend.mcp_servers !== undefined ? "mcp_servers" : "mcpServers";
  // A backend's allowed_tools / exclude_tools apply to its own servers only (each MassGen agent has
  // its own client), so they are folded into those servers' filters.
  for (const entry of entriesOf(servers, [...path, key], read))
    found.entries.push({ ...entry, backend: { path, value: backend } });
}

function entriesOf(servers: unknown, path: DocPath, read: ReadParts): Entry[] {
  // MassGen treats a dict with a `type` key as one server, not a name → config map.
  if (
    isPlainObject(servers) &&
    typeof servers.type === "string" &&
    (servers.command !== undefined || servers.url !== undefined)
  ) {
    return [{ raw: servers, path }];
  }
  const listed = serverListEntries(servers, path);
  if (listed === undefined) return [{ raw: { [NOT_AN_OBJECT]: servers }, path }];
  read.collections.push(path);
  return listed.map((entry) => ({
    raw: isPlainObject(entry.raw) ? entry.raw : { [NOT_AN_OBJECT]: entry.raw },
    path: entry.path,
    ...(entry.key === undefined ? {} : { key: entry.key }),
  }));
}

/**
 * Whether a refusal of the snapshot is in a part that was read: inside a server entry or a tool
 * filter, an entry (or agent) of a map or list of them, or an object read on the way there. A value
 * that threw when read is always reported: what it held is unknown.
 */
function wasRead(finding: ConfigFinding, read: ReadParts): boolean {
  const at = finding.path;
  const same = (a: DocPath, b: DocPath) => a.length === b.length && a.every((part, i) => part === b[i]);
  if (finding.kind === "unreadable") return true;
  if (read.subtrees.some((tree) => tree.length <= at.length && same(tree, at.slice(0, tree.length))))
    return true;
  if (at.length > 0 && read.collections.some((c) => same(c, at.slice(0, -1)))) return true;
  return (
    finding.kind !== "prototypeKey" && [...read.objects, ...read.collections].some((node) => same(node, at))
  );
}

/** Maps the spellings of other hosts onto ours, and reports each change. */
function normaliseEntry(entry: Entry): { value: unknown; notes: Array<{ key: string; message: string }> } {
  if (Object.hasOwn(entry.raw, NOT_AN_OBJECT))
    return { value: (entry.raw as { [NOT_AN_OBJECT]: unknown })[NOT_AN_OBJECT], notes: [] };
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
  if (entry.backend) foldBackendFilters(value, entry.backend.value);
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

const FILTER_KEYS = {
  allowed: ["allowed_tools", "allowedTools"],
  exclude: ["exclude_tools", "excludeTools"],
} as const;

function listOf(
  record: Record<string, unknown>,
  keys: readonly string[],
): { key: string; value: unknown } | undefined {
  for (const key of keys) if (record[key] !== undefined) return { key, value: record[key] };
  return undefined;
}

/** Checks a backend's filters once: lists of tool names. */
function backendFilterIssues(
  backend: { path: DocPath; value: Record<string, unknown> },
  locate: (path: DocPath) => { file?: string; line?: number },
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const keys of [FILTER_KEYS.allowed, FILTER_KEYS.exclude]) {
    const found = listOf(backend.value, keys);
    if (!found || (Array.isArray(found.value) && found.value.every((item) => typeof item === "string")))
      continue;
    const path = [...backend.path, found.key];
    issues.push({
      path: renderKeyPath(path),
      message: `${found.key} must be a list of tool names (strings)`,
      rule: "config.schema",
      ...locate(path),
    });
  }
  return issues;
}

/**
 * The backend's exclusions are added to the server's; its allow-list applies unless the server has
 * its own (MassGen's precedence). Names may be raw or routed (`mcp__server__tool`).
 */
function foldBackendFilters(server: Record<string, unknown>, backend: Record<string, unknown>): void {
  const exclude = listOf(backend, FILTER_KEYS.exclude);
  if (exclude && Array.isArray(exclude.value)) {
    const own = listOf(server, FILTER_KEYS.exclude);
    const merged = [...(Array.isArray(own?.value) ? (own.value as unknown[]) : []), ...exclude.value];
    if (own) delete server[own.key];
    server.exclude_tools = merged;
  }
  const allowed = listOf(backend, FILTER_KEYS.allowed);
  if (allowed && Array.isArray(allowed.value) && !listOf(server, FILTER_KEYS.allowed))
    server.allowed_tools = allowed.value;
}

/** A server entry without its name, for comparing the same server listed by several agents. */
function stripName(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const { name: _name, ...rest } = raw;
  return rest;
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

/** Keys whose `${VAR}` references MCPClient expands at connect time (src/client/prepare.ts). */
const EXPANDED_AT_CONNECT = new Set(["args", "env", "headers", "auth"]);

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
      // These are expanded when connecting (once: a value that itself holds "${" must not be
      // expanded twice); here they are only checked, so a missing variable is still reported now.
      return typeof at[0] === "string" && EXPANDED_AT_CONNECT.has(at[0]) ? withBuiltins : expanded;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i]));
    if (isPlainObject(node))
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...at, k])]));
    return node;
  };
  return { value: walk(value, path), missing };
}

/** Other hosts' spellings of our keys, for pointing at the line the user wrote. */
const KEY_ALIASES: Record<string, readonly string[]> = {
  url: ["httpUrl", "serverUrl"],
  type: ["transport"],
  allowed_tools: ["includeTools"],
};

/** Turns an issue path relative to a server (`env.API_KEY`, `args[2]`) into a document path. */
function issueDocPath(entry: Entry, issuePath: string, doc: SourceDocument): DocPath {
  if (!issuePath) return entry.path;
  const parts = parseKeyPath(issuePath) ?? [];
  // Issue paths use snake_case; the file may use camelCase or another host's alias (httpUrl for
  // url). Use whichever spelling the file has, and fall back to the closest enclosing key.
  for (let length = parts.length; length > 0; length--) {
    const prefix = parts.slice(0, length);
    const spellings = [prefix, prefix.map((p) => (typeof p === "string" ? toCamelCase(p) : p))];
    const first = prefix[0];
    for (const alias of typeof first === "string" ? (ownValue(KEY_ALIASES, first) ?? []) : []) {
      spellings.push([alias, ...prefix.slice(1)]);
    }
    for (const spelling of spellings) {
      const candidate = [...entry.path, ...spelling];
      if (doc.lineOf(candidate) !== undefined) return candidate;
    }
  }
  return entry.path;
}
