import type { Target } from "./targets.js";

export type ContenderId = "mcp-tools" | "mcp-tools-multi" | "sdk" | "langchain" | "floor";

export const CONTENDER_IDS: readonly ContenderId[] = [
  "mcp-tools",
  "mcp-tools-multi",
  "sdk",
  "langchain",
  "floor",
];

/** One connected server, behind whichever client API. */
export interface Session {
  /** The server's pid (stdio), to check that close really ended it. */
  readonly pid: number | undefined;
  /** Number of tools discovered while connecting. */
  readonly toolCount: number;
  /** Calls `echo` and checks the answer is `Echo: <message>`. */
  echo(message: string): Promise<void>;
  close(): Promise<void>;
}

/** Several servers connected at once. */
export interface Group {
  readonly connected: number;
  readonly toolCount: number;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** mcp-tools `shutdown_grace` in seconds (the others have their own fixed steps). */
  shutdownGrace?: number | undefined;
}

export interface Contender {
  readonly id: ContenderId;
  readonly label: string;
  supports(target: Target): boolean;
  connect(target: Target, options?: ConnectOptions): Promise<Session>;
  connectMany(targets: readonly Target[]): Promise<Group>;
}

export const CLIENT_INFO = { name: "mcp-tools-bench", version: "0.0.0" };

export function expectEcho(text: unknown, message: string): void {
  if (text !== `Echo: ${message}`) {
    throw new Error(`echo answered ${JSON.stringify(text)}, expected "Echo: ${message}"`);
  }
}

export function firstText(result: { content?: unknown }): unknown {
  const content = result.content as Array<{ text?: unknown }> | undefined;
  return content?.[0]?.text;
}

/** Each contender lives in its own module, so a memory probe loads only the library it measures. */
const LOADERS: Record<ContenderId, () => Promise<Contender>> = {
  "mcp-tools": async () => (await import("./contenderMcpTools.js")).mcpTools,
  "mcp-tools-multi": async () => (await import("./contenderMcpTools.js")).mcpToolsMulti,
  sdk: async () => (await import("./contenderSdk.js")).sdk,
  langchain: async () => (await import("./contenderLangchain.js")).langchain,
  floor: async () => (await import("./contenderFloor.js")).floor,
};

const loaded = new Map<ContenderId, Contender>();
let enabled: ReadonlySet<ContenderId> = new Set(CONTENDER_IDS);

/** Restricts the run to some contenders (`--contenders`, for profiling one of them). */
export function enableOnly(ids: readonly ContenderId[]): void {
  enabled = new Set(ids);
}

/** The enabled contenders among `ids`, in that order. */
export function enabledContenders(ids: readonly ContenderId[] = CONTENDER_IDS): Contender[] {
  return ids.filter((id) => enabled.has(id)).map((id) => contender(id));
}

export async function loadContender(id: ContenderId): Promise<Contender> {
  let contender = loaded.get(id);
  if (!contender) {
    contender = await LOADERS[id]();
    loaded.set(id, contender);
  }
  return contender;
}

/** A contender loaded before (see `loadContender`). */
export function contender(id: ContenderId): Contender {
  const found = loaded.get(id);
  if (!found) throw new Error(`contender ${id} was not loaded`);
  return found;
}

export function isContenderId(value: string): value is ContenderId {
  return (CONTENDER_IDS as readonly string[]).includes(value);
}
