/**
 * Per-key request limits answering 429 with Retry-After. Two implementations of one interface:
 * - on Workers, the Rate Limiting binding (`[[ratelimits]]` RATE_LIMITER in wrangler.toml): counters shared by every
 *   isolate of a Cloudflare location, kept next to the Worker, so a check adds no round trip to a far store (a Durable
 *   Object would hold one exact global count, at the price of a round trip to its one location on every request);
 *   miniflare/the vitest plugin run the same binding locally (a Durable Object of their own, fixed windows);
 * - on Node (one process), and on Workers without the binding, a fixed window per key in memory.
 */
export interface RateLimit {
  /** Counts one request of `key`; the seconds to wait when over the limit, else 0. */
  hit(key: string, now: number): Promise<number>;
}

/** Fixed-window limit per key, in this process or isolate. */
export class RateLimiter implements RateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  async hit(key: string, now: number): Promise<number> {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 50_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count > this.limit ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 0;
  }
}

/** The Workers Rate Limiting binding's interface (`env.RATE_LIMITER`). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/**
 * The limit of the Workers Rate Limiting binding, shared across isolates. Its limit and period are set in
 * wrangler.toml (`[[ratelimits]]`, period 10 or 60 s); the binding reports no reset time, so Retry-After is the time
 * to the end of the current period. A binding that fails lets the request through (logged): a limiter outage must
 * not take the API down.
 */
export class BindingRateLimiter implements RateLimit {
  constructor(
    private readonly binding: RateLimitBinding,
    private readonly periodSeconds: 10 | 60 = 60,
  ) {}

  async hit(key: string, now: number): Promise<number> {
    try {
      const { success } = await this.binding.limit({ key });
      if (success) return 0;
    } catch (e) {
      console.error(
        JSON.stringify({ level: "error", msg: "rate limit binding failed, request allowed", error: String(e) }),
      );
      return 0;
    }
    const into = (now / 1000) % this.periodSeconds;
    return Math.max(1, Math.ceil(this.periodSeconds - into));
  }
}
