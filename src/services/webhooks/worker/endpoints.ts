import { privateNetworksAllowed } from "../../../lib/url-guard.js";
import { compileTransformation, type Transformer } from "../../../lib/webhook-transform.js";
import type { ServiceContext } from "../../context.js";
import { requireMasterKeys } from "../../secrets/master-key.js";
import { isSealed, openHeaders, REDACTED_VALUE, storedHeaders } from "../endpoint-headers.js";
import { signingKeys, type SigningKey } from "../endpoint-secret.js";
import { findEndpointRow, toEndpointInfo } from "../endpoint-rows.js";

// What the worker needs of an endpoint for every attempt, read once and kept for a few seconds:
// reading and decrypting it per attempt would cost more than the POST. A rotation or an update
// reaches the worker within REFRESH_MS.

const REFRESH_MS = 5_000;

export interface EndpointConfig {
  id: string;
  url: URL;
  /** The endpoint's own headers as sent, opened once per load (never per attempt). */
  headers: Record<string, string>;
  /** The same names with each value redacted: what an attempt record keeps of them. */
  recordedHeaders: Record<string, string>;
  timeoutMs: number;
  /** Requests this worker may have in flight to it at once. */
  maxInFlight: number;
  /** Its deliveries are sent in the slots its rate limit gives them (claim-limited.ts). */
  rateLimited: boolean;
  /** False once disabled (by an operator, or by a worker on a 410): what a worker holds is not sent. */
  enabled: boolean;
  scheduleMs: number[];
  allowPrivate: boolean;
  /** The secrets that signed at load, current first: what `secretsAt` hands out before `secretsUntil`. */
  secrets: string[];
  /** The first end (epoch ms) among the retired secrets loaded; Infinity when there are none. */
  secretsUntil: number;
  /** The same secrets with their ends (null: the current one). */
  signers: SigningKey[];
  /** The endpoint's transformation, compiled; null sends the recorded bytes as they are. */
  transform: Transformer | null;
}

/** A load of an endpoint: its promise, when it started, and its value once it has come. */
type Entry = { config: Promise<EndpointConfig>; loadedAt: number; value?: EndpointConfig };

export class EndpointCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly ctx: ServiceContext) {}

  get(id: string): Promise<EndpointConfig> {
    const now = Date.now();
    const entry = this.#entries.get(id);
    if (entry && now - entry.loadedAt < REFRESH_MS) return entry.config;
    const config = this.#load(id);
    const loading: Entry = { config, loadedAt: now };
    this.#entries.set(id, loading);
    config.then(
      (value) => void (loading.value = value),
      () => this.#entries.delete(id),
    );
    return config;
  }

  /** The endpoint read again now, whatever the age of its last load. */
  reload(id: string): Promise<EndpointConfig> {
    this.#entries.delete(id);
    return this.get(id);
  }

  /**
   * What get() would give when it is loaded already and fresh, without a promise: the worker
   * asks once per attempt, and an await per attempt is garbage and a turn of the microtask queue.
   */
  ready(id: string): EndpointConfig | undefined {
    const entry = this.#entries.get(id);
    return entry && Date.now() - entry.loadedAt < REFRESH_MS ? entry.value : undefined;
  }

  async #load(id: string): Promise<EndpointConfig> {
    const row = await findEndpointRow(this.ctx.sql, id);
    const info = toEndpointInfo(row);
    const signers = await signingKeys(this.ctx, id);
    const stored = storedHeaders(row.headers);
    const headers = openHeaders(isSealed(stored) ? await requireMasterKeys(this.ctx) : null, id, stored);
    // Redacted from the opened names (not the row's readable list), and the very same object when
    // there are none, so an attempt then builds one header set, not two.
    const names = Object.keys(headers);
    const recordedHeaders = names.length ? Object.fromEntries(names.map((n) => [n, REDACTED_VALUE])) : headers;
    return {
      id,
      url: new URL(info.url),
      headers,
      recordedHeaders,
      timeoutMs: info.timeoutMs,
      maxInFlight: info.maxInFlight,
      rateLimited: info.rateLimitPerSecond !== null,
      enabled: info.enabled,
      scheduleMs: info.retry.scheduleMs,
      allowPrivate: privateNetworksAllowed(this.ctx.env, info.allowPrivateNetwork),
      secrets: signers.map((k) => k.secret),
      secretsUntil: Math.min(...signers.map((k) => k.until?.getTime() ?? Infinity)),
      signers,
      transform: info.transformation ? await compileTransformation(info.transformation) : null,
    };
  }
}

/**
 * The secrets that sign an attempt started at `at` (epoch ms). A load is kept for REFRESH_MS, so a
 * retired secret whose grace ends meanwhile is dropped here, at its own end, not at the next load.
 */
export function secretsAt(ep: EndpointConfig, at: number): readonly string[] {
  if (at < ep.secretsUntil) return ep.secrets; // the usual case: no allocation per attempt
  return ep.signers.filter((k) => k.until === null || k.until.getTime() > at).map((k) => k.secret);
}
