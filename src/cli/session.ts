import { loadConfig } from "../config/loadConfig.js";
import type { ServerConfig, ServerConfigInput } from "../config/types.js";
import { MCPError } from "../errors/errors.js";
import { MultiMCPClient } from "../multi/multiClient.js";
import type { ConnectSummary } from "../multi/options.js";
import type { ConfigSource } from "./configSource.js";
import { describeSource, resolveConfigSource } from "./configSource.js";
import { cliAuthOptions } from "./login.js";
import type { Output } from "./output.js";

/** Options shared by every subcommand. */
export interface GlobalOptions {
  config?: string | undefined;
  server: string[];
  json: boolean;
  timeout?: number | undefined;
  verbose: boolean;
}

/** A connected set of servers for one CLI run. */
export interface Session {
  multi: MultiMCPClient;
  summary: ConnectSummary | undefined;
  source: ConfigSource;
  /** Why connecting failed entirely, when no server connected. */
  failure: unknown;
}

/** The session being used, so Ctrl+C can close it from the signal handler. */
let current: MultiMCPClient | undefined;

export function currentSession(): MultiMCPClient | undefined {
  return current;
}

/** Reads the config (file, discovered file, or the bundled demo), keeping only `--server` names. */
export async function loadServers(
  options: GlobalOptions,
  output: Output,
): Promise<{
  source: ConfigSource;
  servers: Array<ServerConfig | ServerConfigInput>;
}> {
  const source = resolveConfigSource(options.config);
  output.note(describeSource(source));
  let servers: Array<ServerConfig | ServerConfigInput>;
  if (source.kind === "file") {
    const loaded = await loadConfig(source.path);
    for (const warning of loaded.warnings) {
      output.debug(
        `config: ${warning.path}: ${warning.message}${warning.line ? ` (line ${warning.line})` : ""}`,
      );
    }
    servers = loaded.servers;
  } else {
    servers = source.servers;
  }
  if (options.server.length > 0) {
    const names = servers.map((s) => String(s.name));
    const unknown = options.server.filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new MCPError(
        `--server ${unknown.map((n) => `"${n}"`).join(", ")} is not in the config. Servers: ${names.join(", ") || "(none)"}.`,
        { code: "NOT_FOUND", context: { unknown, available: names } },
      );
    }
    servers = servers.filter((s) => options.server.includes(String(s.name)));
  }
  if (servers.length === 0) {
    throw new MCPError("The config has no (enabled) servers to connect to.", { code: "NOT_FOUND" });
  }
  return { source, servers };
}

/**
 * Connects every configured server in parallel with one spinner line each. Partial success is
 * normal: the session is returned as long as the config itself was valid.
 */
export async function openSession(options: GlobalOptions, output: Output): Promise<Session> {
  const { source, servers } = await loadServers(options, output);
  const multi = new MultiMCPClient(servers, {
    auth: cliAuthOptions(output),
    // One-shot commands: a lost server is reported, not reconnected in the background.
    autoReconnect: false,
  });
  current = multi;
  const names = multi.serverNames;
  const spinners = output.spinners(names);
  const index = new Map(names.map((name, i) => [name, i]));
  multi.on("connected", (event) => {
    const i = index.get(event.server);
    if (i === undefined) return;
    spinners.succeed(
      i,
      `${event.toolsCount} tools, ${event.resourcesCount} resources, ${event.promptsCount} prompts`,
    );
  });
  multi.on("error", (event) => {
    const i = index.get(event.server);
    if (i === undefined || event.lost) return;
    spinners.fail(i, firstLine(event.error.message));
  });
  if (options.verbose) {
    multi.on("stderr", (event) => output.debug(`[${event.server} stderr] ${event.message}`));
    multi.on("warning", (event) => output.debug(`[${event.server}] ${event.message}`));
  }
  let summary: ConnectSummary | undefined;
  let failure: unknown;
  try {
    summary = await multi.connect();
  } catch (error) {
    failure = error;
  } finally {
    spinners.stop();
  }
  return { multi, summary, source, failure };
}

/** Throws the connect failure when no server at all could be connected. */
export function sessionFailure(session: Session): void {
  if (session.summary === undefined && session.failure !== undefined) throw session.failure;
}

/** Closes the session (bounded by each transport's own shutdown). */
export async function closeSession(session: Session | undefined): Promise<void> {
  if (!session) return;
  await session.multi.disconnect();
  if (current === session.multi) current = undefined;
}

export function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}
