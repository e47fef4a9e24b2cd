import { privateNetworksAllowed } from "../../../lib/url-guard.js";
import { compileTransformation, type Transformer } from "../../../lib/webhook-transform.js";
import type { ServiceContext } from "../../context.js";
import { signingSecrets } from "../endpoint-secret.js";
import { findEndpointRow, toEndpointInfo } from "../endpoint-rows.js";

// What the worker needs of an endpoint for every attempt, read once and kept for a few seconds:
// reading and decrypting it per attempt would cost more than the POST. A rotation or an update
// reaches the worker within REFRESH_MS.

const REFRESH_MS = 5_000;

export interface EndpointConfig {
  id: string;
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  scheduleMs: number[];
  allowPrivate: boolean;
  secrets: string[];
  bucket: TokenBucket | null;
  /** The endpoint's transformation, compiled; null sends the recorded bytes as they are. */
  transform: Transformer | null;
}

export class EndpointCache {
  readonly #entries = new Map<string, { config: Promise<EndpointConfig>; loadedAt: number }>();

  constructor(private readonly ctx: ServiceContext) {}

  get(id: string): Promise<EndpointConfig> {
    const now = Date.now();
    const entry = this.#entries.get(id);
    if (entry && now - entry.loadedAt < REFRESH_MS) return entry.config;
    const config = this.#load(id, entry?.config);
    this.#entries.set(id, { config, loadedAt: now });
    config.catch(() => this.#entries.delete(id));
    return config;
  }

  async #load(id: string, previous: Promise<EndpointConfig> | undefined): Promise<EndpointConfig> {
    const info = toEndpointInfo(await findEndpointRow(this.ctx.sql, id));
    const secrets = await signingSecrets(this.ctx, id);
    const rate = info.rateLimitPerSecond;
    // Keep the bucket across refreshes, or a refresh would hand out a fresh burst.
    const old = await previous?.catch(() => undefined);
    const bucket = rate ? (old?.bucket?.rate === rate ? old.bucket : new TokenBucket(rate)) : null;
    return {
      id,
      url: new URL(info.url),
      headers: info.headers ?? {},
      timeoutMs: info.timeoutMs,
      scheduleMs: info.retry.scheduleMs,
      allowPrivate: privateNetworksAllowed(this.ctx.env, info.allowPrivateNetwork),
      secrets,
      bucket,
      transform: info.transformation ? await compileTransformation(info.transformation) : null,
    };
  }
}

/** `rate` requests per second, with a burst of one second's worth. */
export class TokenBucket {
  #tokens: number;
  #at = performance.now();

  constructor(readonly rate: number) {
    this.#tokens = rate;
  }

  /** Milliseconds to wait before a request may go; 0 takes a token now. */
  take(): number {
    const now = performance.now();
    this.#tokens = Math.min(this.rate, this.#tokens + ((now - this.#at) / 1000) * this.rate);
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.#tokens) / this.rate) * 1000);
  }
}
