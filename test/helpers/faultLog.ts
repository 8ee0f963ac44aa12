// Reading what the stdio fault fixture (test/fixtures/faultServer.mjs) received on stdin: it writes
// every line to LOG_FILE when that is set.
import { existsSync, readFileSync } from "node:fs";

export interface Logged {
  method?: string;
  id?: string | number;
  params?: { name?: string; requestId?: unknown; _meta?: { progressToken?: unknown } } & Record<
    string,
    unknown
  >;
}

/** Lines the fault fixture read from stdin (LOG_FILE). */
export function received(file: string): Logged[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Logged);
}

export const toolCalls = (file: string) => received(file).filter((m) => m.method === "tools/call");
export const cancellations = (file: string) =>
  received(file).filter((m) => m.method === "notifications/cancelled");
