/**
 * The gateway's in-flight budget: how many requests and how many body bytes it holds at once. Bytes are reserved
 * from the declared Content-Length before the body is read, so a burst cannot buffer more than the budget.
 */
export interface BudgetLimits {
  maxBytes: number;
  maxRequests: number;
}

export interface Reservation {
  readonly bytes: number;
  /** Returns the reservation; calling it again does nothing. */
  release(): void;
}

export class InFlightBudget {
  private bytes = 0;
  private requests = 0;

  constructor(readonly limits: BudgetLimits) {}

  /** A reservation, or null when the request would overspend the budget. One request alone may use it all. */
  tryReserve(bytes: number): Reservation | null {
    if (this.requests >= this.limits.maxRequests) return null;
    if (this.requests > 0 && this.bytes + bytes > this.limits.maxBytes) return null;
    this.requests += 1;
    this.bytes += bytes;
    let released = false;
    return {
      bytes,
      release: () => {
        if (released) return;
        released = true;
        this.requests -= 1;
        this.bytes -= bytes;
      },
    };
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  get inFlightRequests(): number {
    return this.requests;
  }
}
