/** Any interface mapping event names to payload objects. */
export type EventMap<E> = { [K in keyof E]: object };

/** One event of `E` as a tagged object `{ type, ...payload }`, as a hub's catch-all listener gets it. */
export type TaggedEvent<E extends EventMap<E>> = {
  [K in keyof E]: { type: K } & E[K];
}[keyof E];

/** Removes a listener. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A small typed event hub. Listener exceptions are isolated: a failing listener never turns a
 * successful call into a failure (`test/unit/common/events.test.ts`).
 */
export class EventHub<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Set<(payload: never) => void>>();

  constructor(private readonly catchAll?: (event: TaggedEvent<E>) => void) {}

  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  /** True when someone listens to `event` (lets callers skip building costly payloads). */
  has(event: keyof E): boolean {
    return this.catchAll !== undefined || (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (set) {
      for (const listener of [...set]) {
        try {
          (listener as (payload: E[K]) => void)(payload);
        } catch {
          // A listener's bug must not break the client.
        }
      }
    }
    if (this.catchAll) {
      try {
        this.catchAll({ type: event, ...payload } as TaggedEvent<E>);
      } catch {
        // Same as above.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
