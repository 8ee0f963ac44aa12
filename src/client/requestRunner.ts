import type { Progress, RequestOptions } from "@modelcontextprotocol/client";
import { SdkError, SdkErrorCode } from "@modelcontextprotocol/client";

import { linkedSignal, onAbort } from "../common/abort.js";
import type { ServerConfig } from "../config/types.js";
import { MCPCancelledError, MCPTimeoutError } from "../errors/errors.js";
import type { Clock, ClockTimer } from "../resilience/clock.js";
import { MAX_TIMER_MS, systemClock } from "../resilience/clock.js";
import type { ClientTransport } from "../transport/transport.js";
import { mapError } from "./errorMapping.js";

/** One request as the runner reports it: its label in messages, its timeout, and a resource's URI. */
export type Operation = { label: string; timeoutSeconds: number; uri?: string };

/** Progress handling of one request. */
export interface ProgressOptions {
  onProgress: (progress: Progress) => void;
  resetOnProgress: boolean;
  maxTotalSeconds: number;
}

let progressSequence = 0;

/**
 * Runs one request with our own timeout and the caller's signal, so that a timeout
 * (`MCPTimeoutError`) and a caller's abort (`MCPCancelledError`) stay distinct (the SDK reports both
 * as REQUEST_TIMEOUT), and progress can restart the timer within a hard total bound. Counts the
 * requests in flight and keeps the progress handlers that `interceptProgress` dispatches to.
 */
export class RequestRunner {
  /** Requests in flight right now. */
  inFlight = 0;
  private readonly progressHandlers = new Map<string, (progress: Progress) => void>();

  constructor(
    private readonly name: string,
    private readonly transportType: ServerConfig["type"],
    /** The current connection's transport, for the close reason of a request it failed. */
    private readonly transport: () => ClientTransport | undefined,
    /** Our timers: the system clock (fake timers take effect) unless a test passes its own. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** The progress handler of a request in flight, by its progress token. */
  progressHandler(token: string): ((progress: Progress) => void) | undefined {
    return this.progressHandlers.get(token);
  }

  async run<T>(
    operation: Operation,
    exec: (options: RequestOptions, progressToken: string | undefined) => Promise<T>,
    signal?: AbortSignal,
    progress?: ProgressOptions,
  ): Promise<T> {
    // Captured now: when the connection dies, the transport is detached before the rejection runs.
    const transport = this.transport();
    const scopeError = () => ({
      serverName: this.name,
      operation: operation.label,
      transportType: this.transportType,
      closeReason: transport?.closeReason,
      uri: operation.uri,
    });
    if (signal?.aborted) {
      throw new MCPCancelledError(
        `${operation.label} on server "${this.name}" was cancelled before it was sent.`,
        {
          serverName: this.name,
          operation: operation.label,
          cause: signal.reason,
        },
      );
    }
    const timeoutMs = operation.timeoutSeconds * 1000;
    // Below MAX_TIMER_MS: that value and beyond mean "our timers govern" to the SDK (see below).
    if (!progress && timeoutMs < MAX_TIMER_MS) {
      // Plain requests use the SDK's own per-request timer as the timeout: no second timer per call
      // (BENCHMARKS.md). The SDK adds an abort listener per request to the signal it is given, so it
      // gets the caller's signal's one internal linked signal (no allocation per call). The SDK
      // rejects both a timeout and an abort with RequestTimeout; the caller's signal tells them apart.
      const requestSignal = signal ? linkedSignal(signal) : undefined;
      this.inFlight++;
      try {
        return await exec(
          requestSignal ? { signal: requestSignal, timeout: timeoutMs } : { timeout: timeoutMs },
          undefined,
        );
      } catch (error) {
        if (signal?.aborted) throw this.cancelledError(operation, signal);
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
          throw this.timeoutError(operation);
        }
        throw mapError(error, scopeError());
      } finally {
        this.inFlight--;
      }
    }
    // Progress, or a timeout beyond one Node timer (Infinity included): our own timers, on the system
    // clock (which never fires Infinity and chains longer delays), and the SDK's timer disarmed.
    const clock = this.clock;
    const controller = new AbortController();
    let timedOut = false;
    let totalExpired = false;
    const onTimeout = () => {
      timedOut = true;
      controller.abort(new Error(`${operation.label} timed out after ${operation.timeoutSeconds} s`));
    };
    let timer = clock.setTimeout(onTimeout, timeoutMs);
    let totalTimer: ClockTimer | undefined;
    const stopWaiting = signal
      ? onAbort(signal, () => controller.abort(signal.reason ?? new Error("cancelled")))
      : undefined;
    let progressToken: string | undefined;
    if (progress) {
      progressToken = `mcp-tools-${++progressSequence}`;
      if (progress.resetOnProgress) {
        totalTimer = clock.setTimeout(() => {
          totalExpired = true;
          onTimeout();
        }, progress.maxTotalSeconds * 1000);
      }
      this.progressHandlers.set(progressToken, (update) => {
        if (progress.resetOnProgress && !controller.signal.aborted) {
          clock.clearTimeout(timer);
          timer = clock.setTimeout(onTimeout, timeoutMs);
        }
        try {
          progress.onProgress(update);
        } catch {
          // A throwing progress callback must not break the call.
        }
      });
    }
    this.inFlight++;
    try {
      return await exec({ signal: controller.signal, timeout: MAX_TIMER_MS }, progressToken);
    } catch (error) {
      if (totalExpired && progress) {
        throw new MCPTimeoutError(
          `${operation.label} on server "${this.name}" had not finished after its maxTotalTimeout of ${progress.maxTotalSeconds} s (progress kept restarting its ${operation.timeoutSeconds} s timeout); the request was cancelled. Pass a larger { maxTotalTimeout }.`,
          { serverName: this.name, timeoutSeconds: progress.maxTotalSeconds, operation: operation.label },
        );
      }
      if (timedOut) throw this.timeoutError(operation);
      if (signal?.aborted) throw this.cancelledError(operation, signal);
      throw mapError(error, scopeError());
    } finally {
      this.inFlight--;
      clock.clearTimeout(timer);
      clock.clearTimeout(totalTimer);
      stopWaiting?.();
      if (progressToken !== undefined) this.progressHandlers.delete(progressToken);
    }
  }

  private timeoutError(operation: Operation): MCPTimeoutError {
    return new MCPTimeoutError(
      `${operation.label} on server "${this.name}" got no answer within ${operation.timeoutSeconds} s; the request was cancelled. Pass a larger { timeout } or raise the server's timeout.`,
      { serverName: this.name, timeoutSeconds: operation.timeoutSeconds, operation: operation.label },
    );
  }

  private cancelledError(operation: Operation, signal: AbortSignal): MCPCancelledError {
    return new MCPCancelledError(`${operation.label} on server "${this.name}" was cancelled by the caller.`, {
      serverName: this.name,
      operation: operation.label,
      cause: signal.reason,
    });
  }
}
