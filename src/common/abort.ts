/**
 * One "abort" listener per `AbortSignal`, however many waiters share it.
 *
 * Node warns (`MaxListenersExceededWarning`, "possible memory leak") once an `AbortSignal` has more
 * than 10 "abort" listeners, and a caller that passes one signal to 50 concurrent calls is doing
 * nothing wrong: every call removes its listener when it settles. Raising the signal's limit with
 * `events.setMaxListeners` would hide real leaks too, so the waiters are fanned out here instead: the
 * first waiter of a signal attaches the only listener, later ones join a set, each waiter leaves the
 * set when it is done, and the last one out removes the listener. The set is keyed weakly, so a
 * signal that is dropped takes it along.
 */

import { setMaxListeners } from "node:events";

interface Waiter {
  readonly callback: () => void;
}

/** The waiters of one signal and the one listener that serves them. */
interface Entry {
  readonly waiters: Set<Waiter>;
  readonly listener: () => void;
}

const entries = new WeakMap<AbortSignal, Entry>();

/**
 * Runs `callback` once when `signal` aborts; returns the function that stops waiting (idempotent).
 * Like `addEventListener("abort", …, { once: true })`, nothing runs for a signal that has already
 * aborted: check `signal.aborted` first. Callbacks run in the order they were registered; one that
 * throws does not stop the others, and the first error is rethrown afterwards (reported by Node as
 * an uncaught exception, as a throwing event listener would be). When the last waiter stops
 * waiting, the listener is removed too: a long-lived signal keeps nothing of finished calls.
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  if (signal.aborted) return noop;
  let entry = entries.get(signal);
  if (!entry) {
    const waiters = new Set<Waiter>();
    const listener = () => fanOut(signal, waiters);
    entry = { waiters, listener };
    entries.set(signal, entry);
    signal.addEventListener("abort", listener, { once: true });
  }
  const { waiters, listener } = entry;
  const waiter: Waiter = { callback };
  waiters.add(waiter);
  return () => {
    if (!waiters.delete(waiter) || waiters.size > 0) return;
    signal.removeEventListener("abort", listener);
    if (entries.get(signal)?.waiters === waiters) entries.delete(signal);
  };
}

/** Waiters registered on `signal` that have not finished yet (tests and diagnostics). */
export function abortWaiterCount(signal: AbortSignal): number {
  return entries.get(signal)?.waiters.size ?? 0;
}

function fanOut(signal: AbortSignal, waiters: Set<Waiter>): void {
  entries.delete(signal);
  const pending = [...waiters];
  let failure: { error: unknown } | undefined;
  for (const waiter of pending) {
    // An earlier callback may have stopped this waiter (its call settled): it must not run then.
    if (!waiters.delete(waiter)) continue;
    try {
      waiter.callback();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

function noop(): void {}

const linked = new WeakMap<AbortSignal, AbortSignal>();

/**
 * The internal signal that aborts (with the same reason) when `signal` aborts: one per caller's
 * signal, made on its first use and shared by every request given that signal, so a call allocates
 * nothing for it. The SDK adds and removes one "abort" listener per request on the signal it is
 * given, so the caller's own signal never goes to the SDK (50 concurrent calls would pass Node's
 * limit of 10 listeners and warn); the internal signal, which only the SDK's per-request listeners
 * use, has no listener limit. It holds one waiter on `signal` (through `onAbort`) until that aborts;
 * both are dropped with `signal`. A signal that has already aborted is its own linked signal.
 */
export function linkedSignal(signal: AbortSignal): AbortSignal {
  if (signal.aborted) return signal;
  let internal = linked.get(signal);
  if (!internal) {
    const controller = new AbortController();
    internal = controller.signal;
    setMaxListeners(0, internal);
    onAbort(signal, () => controller.abort(signal.reason));
    linked.set(signal, internal);
  }
  return internal;
}
