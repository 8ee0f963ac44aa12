import { OptionIssues } from "../config/optionIssues.js";

/**
 * "When should the breaker open?" policies, kept apart from the state machine in `circuitBreaker.ts`
 * (cockatiel's `IBreaker` and Polly's `CircuitBehavior` split the same way), so each side can be
 * swapped and tested alone.
 */

export interface BreakerPolicy {
  /** Records a failure while closed; returns true when the breaker should open now. */
  failure(): boolean;
  /** Records a success while closed. */
  success(): void;
  /** Forgets everything (the breaker closed after a probe, or was reset). */
  reset(): void;
  /** Consecutive failures counted so far (for status reports). */
  readonly failures: number;
}

/**
 * Opens on the n-th consecutive failure (`>=` threshold, documented as such unlike cockatiel's
 * JSDoc); any success resets the count.
 */
export class ConsecutiveFailurePolicy implements BreakerPolicy {
  private count = 0;

  constructor(readonly threshold: number) {
    const check = new OptionIssues("ConsecutiveFailurePolicy");
    check.wholeNumber("threshold", threshold, { min: 1 });
    check.throwIfAny();
  }

  get failures(): number {
    return this.count;
  }

  failure(): boolean {
    this.count++;
    return this.count >= this.threshold;
  }

  success(): void {
    this.count = 0;
  }

  reset(): void {
    this.count = 0;
  }
}
