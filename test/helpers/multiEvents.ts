import type { MultiClientEvents, MultiMCPClient } from "../../src/multi/multiClient.js";

/** Resolves with the first matching event of a MultiMCPClient; rejects after `ms` (a bound, not a wait). */
export function nextEvent<K extends keyof MultiClientEvents>(
  multi: MultiMCPClient,
  event: K,
  match: (payload: MultiClientEvents[K]) => boolean = () => true,
  ms = 10_000,
): Promise<MultiClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(event)} event within ${ms} ms`));
    }, ms);
    const off = multi.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}
