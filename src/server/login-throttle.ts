/**
 * Failed logins per client IP in a sliding window. Past the limit every attempt from that IP is
 * refused (even a right password) until the oldest failure leaves the window, which makes guessing
 * slow without locking the account for everyone else. In memory: one process serves the app.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60 * 1000,
  ) {}

  /** Seconds until this IP may try again, or 0 when it may try now. */
  retryAfterSeconds(ip: string, now = Date.now()): number {
    const recent = this.recent(ip, now);
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((recent[recent.length - this.maxFailures]! + this.windowMs - now) / 1000));
  }

  fail(ip: string, now = Date.now()): void {
    // Bounded: an address spray cannot grow the map past this; stale entries go first.
    if (this.failures.size >= 10_000) this.prune(now);
    this.failures.set(ip, [...this.recent(ip, now), now]);
  }

  succeed(ip: string): void {
    this.failures.delete(ip);
  }

  private recent(ip: string, now: number): number[] {
    return (this.failures.get(ip) ?? []).filter((t) => t > now - this.windowMs);
  }

  private prune(now: number): void {
    for (const [ip, times] of this.failures) {
      if (times.every((t) => t <= now - this.windowMs)) this.failures.delete(ip);
    }
    if (this.failures.size >= 10_000) this.failures.clear();
  }
}
