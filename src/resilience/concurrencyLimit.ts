/**
 * Per-server concurrency limit: at most `maxInFlight` calls run at once, up to `maxQueue` more wait
 * in FIFO order, and anything beyond is refused with `QUEUE_FULL` (fault-matrix §3.3: bounds the
 * load on single-threaded stdio servers; refusals are neutral for the breaker).
 *
 * Not cockatiel's `bulkhead()`: a queued call whose signal aborts there stays queued until it is
 * dequeued, and the queue wait has no deadline. Here an abort or the call's own timeout removes the
 * waiter at once and frees its queue place.
 */
import { WaiterQueue } from "../common/waiters.js";
import { OptionIssues } from "../config/optionIssues.js";
import { MCPCancelledError, MCPError, MCPTimeoutError } from "../errors/errors.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";

export interface ConcurrencyLimitOptions {
  /** The server the limit guards, for messages. */
  name: string;
  /** Calls running at once. */
  maxInFlight: number;
  /** Calls waiting for a slot; 0 refuses every call beyond `maxInFlight`. */
  maxQueue: number;
  /** @default systemClock */
  clock?: Clock | undefined;
}

export interface RunOptions {
  /** Aborting while queued rejects with `MCPCancelledError` and frees the queue place. */
  signal?: AbortSignal | undefined;
  /** Longest wait for a slot, in milliseconds; then `MCPTimeoutError`. @default no limit */
  queueTimeoutMs?: number | undefined;
  /** What is being run, for messages (`tools/call "echo"`). */
  operation?: string | undefined;
}

export class ConcurrencyLimit {
  readonly name: string;
  readonly maxInFlight: number;
  readonly maxQueue: number;
  private readonly clock: Clock;
  private running = 0;
  private readonly waiters: WaiterQueue<void>;

  constructor(options: ConcurrencyLimitOptions) {
    const check = new OptionIssues(`the concurrency limit of server "${options.name}"`, {
      serverName: options.name,
    });
    check.wholeNumber("maxInFlight", options.maxInFlight, { min: 1 });
    check.wholeNumber("maxQueue", options.maxQueue, { min: 0 });
    check.throwIfAny();
    this.name = options.name;
    this.maxInFlight = options.maxInFlight;
    this.maxQueue = options.maxQueue;
    this.clock = options.clock ?? systemClock;
    this.waiters = new WaiterQueue<void>(this.clock);
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /**
   * Runs `fn` when a slot is free.
   * @throws MCPError QUEUE_FULL (nothing queued, nothing sent), MCPCancelledError (aborted while
   *   queued), MCPTimeoutError (no slot within `queueTimeoutMs`).
   */
  async run<T>(fn: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    await this.acquire(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(options: RunOptions): Promise<void> {
    const operation = options.operation ?? "call";
    if (options.signal?.aborted) {
      return Promise.reject(
        new MCPCancelledError(`${operation} on server "${this.name}" was cancelled before it was sent.`, {
          serverName: this.name,
          operation,
          cause: options.signal.reason,
        }),
      );
    }
    if (this.running < this.maxInFlight) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new MCPError(
          `${operation} on server "${this.name}" was refused without being sent: ${this.running} calls are in flight and ${this.waiters.length} are queued (concurrency.max_in_flight ${this.maxInFlight}, max_queue ${this.maxQueue}). Retry later, or raise concurrency.max_queue / max_in_flight.`,
          {
            code: "QUEUE_FULL",
            serverName: this.name,
            context: { inFlight: this.running, queued: this.waiters.length, maxQueue: this.maxQueue },
          },
        ),
      );
    }
    return this.waiters.wait({
      signal: options.signal,
      abortError: (aborted) =>
        new MCPCancelledError(
          `${operation} on server "${this.name}" was cancelled while waiting for a free slot; it was never sent.`,
          { serverName: this.name, operation, cause: aborted.reason },
        ),
      timeoutMs: options.queueTimeoutMs,
      timeoutError: (queueTimeoutMs) =>
        new MCPTimeoutError(
          `${operation} on server "${this.name}" waited ${(queueTimeoutMs / 1000).toFixed(1)} s for a free slot (${this.maxInFlight} calls in flight) and was never sent. Pass a larger { timeout } or raise concurrency.max_in_flight.`,
          {
            serverName: this.name,
            timeoutSeconds: queueTimeoutMs / 1000,
            operation: `queue for ${operation}`,
          },
        ),
    });
  }

  private release(): void {
    // The slot passes straight to the oldest waiter, so a newcomer cannot overtake the queue.
    if (!this.waiters.wakeNext()) this.running--;
  }
}
