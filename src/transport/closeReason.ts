import type { MCPConnectionError } from "../errors/errors.js";

/**
 * What every transport of ours tells the client about an end it did not ask for: the process
 * exited (with its exit code and stderr), stdout closed, a message was too large for the legacy
 * SSE stream. The client reports that reason when the connection is lost, instead of a bare
 * "connection was lost", whichever transport it was.
 */
export interface ReportsCloseReason {
  /** Why the connection ended on its own, once it has; undefined while it is open and when close() ended it. */
  readonly closeReason: MCPConnectionError | undefined;
}
