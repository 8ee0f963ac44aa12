export type ServerKind = "everything" | "demo";

/** How much of everything to measure. `smoke` proves the harness works in seconds; its numbers mean nothing. */
export interface Plan {
  mode: "full" | "smoke";
  /** Servers of the connect and echo sections, per transport. */
  connectStdio: ServerKind[];
  connectHttp: ServerKind[];
  echoStdio: ServerKind[];
  echoHttp: ServerKind[];
  /** Server of "N servers at once": server-everything, or the light fault fixture (smoke). */
  manyServer: "everything" | "fixture";
  /** Connects of one server per contender (stdio: spawn + initialize + discovery). */
  connectReps: number;
  /** Same over HTTP (initialize + discovery; the server is already running). */
  httpConnectReps: number;
  /** Sizes of "N servers at once" (server-everything over stdio). */
  manyCounts: number[];
  manyReps: number;
  /** Calls before anything is timed, per contender and server. */
  warmupCalls: number;
  sequentialCalls: number;
  sequentialRounds: number;
  httpSequentialCalls: number;
  httpSequentialRounds: number;
  burstSize: number;
  burstRounds: number;
  httpBurstSize: number;
  httpBurstRounds: number;
  /** Closes of a server that exits on stdin EOF, per contender and server. */
  closeReps: number;
  /** Closes of a server that ignores SIGTERM and stdin EOF (timer-bound, so run side by side). */
  sigtermReps: number;
  /** Tools and page size of the pagination fixture. */
  discoveryTools: number;
  discoveryPageSize: number;
  discoveryReps: number;
  routingServers: number;
  routingToolsPerServer: number;
  routingCalls: number;
  routingRounds: number;
  /** Servers each memory probe connects; probes per contender. */
  memoryServers: number;
  memoryReps: number;
  /** stdio server of the memory probes: the demo server, or the fault fixture (light to spawn by the dozen). */
  memoryStdio: "demo" | "fixture";
  /** Memory probes run at once (each is its own process). */
  memoryParallel: number;
  /** One untimed connect per contender before the timed ones. */
  warmupConnect: boolean;
  /** Keep one HTTP server per kind for the whole run instead of a fresh one per section. */
  reuseHttpServers: boolean;
  /** Run the (timer-bound) SIGTERM closes alongside the EOF closes instead of after them. */
  overlapSigterm: boolean;
}

export const FULL_PLAN: Plan = {
  mode: "full",
  connectStdio: ["everything", "demo"],
  connectHttp: ["everything", "demo"],
  echoStdio: ["everything", "demo"],
  echoHttp: ["everything", "demo"],
  manyServer: "everything",
  connectReps: 10,
  httpConnectReps: 20,
  manyCounts: [5, 10],
  manyReps: 3,
  warmupCalls: 200,
  sequentialCalls: 300,
  sequentialRounds: 10,
  httpSequentialCalls: 250,
  httpSequentialRounds: 6,
  burstSize: 1000,
  burstRounds: 7,
  httpBurstSize: 1000,
  httpBurstRounds: 4,
  closeReps: 3,
  sigtermReps: 2,
  discoveryTools: 1000,
  discoveryPageSize: 100,
  discoveryReps: 5,
  routingServers: 10,
  routingToolsPerServer: 100,
  routingCalls: 1000,
  routingRounds: 3,
  memoryServers: 25,
  memoryReps: 2,
  memoryStdio: "fixture",
  memoryParallel: 1,
  warmupConnect: true,
  reuseHttpServers: false,
  overlapSigterm: false,
};

export const SMOKE_PLAN: Plan = {
  mode: "smoke",
  // Every path once (each server kind, each transport), not every combination.
  connectStdio: ["demo"],
  connectHttp: ["everything"],
  echoStdio: ["everything"],
  echoHttp: ["demo"],
  manyServer: "fixture",
  connectReps: 1,
  httpConnectReps: 1,
  manyCounts: [2],
  manyReps: 1,
  warmupCalls: 5,
  sequentialCalls: 20,
  sequentialRounds: 1,
  httpSequentialCalls: 10,
  httpSequentialRounds: 1,
  burstSize: 50,
  burstRounds: 1,
  httpBurstSize: 20,
  httpBurstRounds: 1,
  closeReps: 1,
  sigtermReps: 1,
  discoveryTools: 200,
  discoveryPageSize: 50,
  discoveryReps: 1,
  routingServers: 2,
  routingToolsPerServer: 20,
  routingCalls: 20,
  routingRounds: 1,
  memoryServers: 2,
  memoryReps: 1,
  memoryStdio: "fixture",
  memoryParallel: 5,
  warmupConnect: false,
  reuseHttpServers: true,
  overlapSigterm: true,
};
