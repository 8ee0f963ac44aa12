import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, firstLine, openSession } from "../session.js";

/** `mcp-tools health`: connects every server and pings it (in parallel, each bounded). */
export async function healthCommand(options: GlobalOptions, output: Output): Promise<ExitCode> {
  let session: Session | undefined;
  try {
    session = await openSession(options, output);
    const { multi } = session;
    const rows = await Promise.all(
      multi.serverNames.map(async (name) => {
        const status = multi.getServerStatus(name);
        let healthy = false;
        let latencyMs: number | undefined;
        if (status.connected) {
          const started = performance.now();
          healthy = await multi.getClient(name).healthCheck({ timeout: options.timeout });
          latencyMs = Math.round((performance.now() - started) * 10) / 10;
        }
        const after = multi.getServerStatus(name);
        return {
          name,
          transport: after.transport,
          state: after.state,
          healthy,
          latencyMs,
          breaker: after.breaker,
          error: after.lastError ? firstLine(after.lastError.message) : undefined,
        };
      }),
    );
    if (output.json) {
      output.printJson({ healthy: rows.every((r) => r.healthy), servers: rows });
    } else {
      output.print(
        output.table(
          ["NAME", "TRANSPORT", "STATE", "HEALTH", "LATENCY", "BREAKER"],
          rows.map((r) => [
            r.name,
            r.transport,
            r.state,
            r.healthy ? "healthy" : "unhealthy",
            r.latencyMs === undefined ? "-" : `${r.latencyMs} ms`,
            r.breaker,
          ]),
          (column, text) =>
            column === 3 ? output.style(text, text.startsWith("healthy") ? "green" : "red") : text,
        ),
      );
      for (const row of rows.filter((r) => r.error))
        output.print(output.style(`  ${row.name}: ${row.error}`, "red"));
    }
    return rows.every((r) => r.healthy) ? EXIT.OK : EXIT.CONNECTION;
  } finally {
    await closeSession(session);
  }
}
