import type { Transport } from "@modelcontextprotocol/client";

import type { ReportsCloseReason } from "./closeReason.js";

/** The facts a transport adds to a client's diagnostics; what a transport does not have is undefined, 0 or "". */
export interface TransportDiagnostics {
  pid: number | undefined;
  sessionId: string | undefined;
  stdoutNoiseLines: number;
  /** The server's last stderr lines as they may be shown (no escape codes or secrets). */
  stderrTail: string;
  sessionRenewals: number;
}

/**
 * What the client needs of a transport beyond the SDK's `Transport`, so that it never asks which
 * transport it holds (stdio, HTTP, or a test's in-memory one).
 */
export interface ClientTransport extends Transport, ReportsCloseReason {
  diagnostics(): TransportDiagnostics;
  /** The server's last `maxLines` stderr lines for an error's context; undefined when there is no stderr. */
  lastStderr(maxLines: number): string | undefined;
  /**
   * True when a connection that ended on its own still needs `close()`: a stdio server's process
   * tree is ended after the loss is reported. An HTTP connection has nothing left to close.
   */
  readonly closesAfterLoss: boolean;
}

/** The diagnostics of a transport with nothing to report (HTTP fields of a stdio server and the reverse). */
export const NO_TRANSPORT_DIAGNOSTICS: TransportDiagnostics = Object.freeze({
  pid: undefined,
  sessionId: undefined,
  stdoutNoiseLines: 0,
  stderrTail: "",
  sessionRenewals: 0,
});
