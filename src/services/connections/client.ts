import { createHmac } from "node:crypto";
import { CredentialError } from "../../errors.js";
import { resolveUnderBase } from "../../lib/bounded-path.js";
import { RateLimiter, retryAfterMs } from "../../lib/rate-limit.js";
import { privateNetworksAllowed } from "../../lib/url-guard.js";
import type { ApiClientConfig, PaginationStyle } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { CREDENTIAL_TOKEN_TYPE } from "../providers/connector.js";
import { allowsPrivateNetwork, authOf } from "../providers/rows.js";
import { requireMasterKeys, type MasterKeyRing } from "../secrets/master-key.js";
import { deserialiseCredential, openSecretValue, type Credential } from "./credential.js";
import { ConnectionHttp, type HttpResult } from "./http.js";
import { accessToken } from "./oauth.js";
import { checkConfig } from "../integrity/config.js";
import { connectionConfig, effectiveRateLimit, type ConnectionRow } from "./rows.js";

// Calls through a connection: its base URL, its credential applied as its provider's auth type
// says, its rate limit, and 429 Retry-After honoured. Credentials are decrypted just before use
// and live only in memory.

/** A connection ready to call: its client settings, its credential decrypted, its rate limiter. */
export interface Prepared {
  config: ApiClientConfig;
  credential: Credential;
  limiter: RateLimiter | null;
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string;
  /** How many times a 429 is waited out and retried (0 for health checks, which report it). */
  retries429?: number;
  /** The longest Retry-After honoured; a longer one is returned as the answer. */
  maxRetryAfterMs?: number;
  /** Called after every attempt, the 429s waited out included (request logging). */
  onAttempt?: (attempt: Sent) => Promise<void>;
}

export interface Sent extends HttpResult {
  method: string;
  /** What was requested, credentials included (a query API key): log it only through stripUrlCredentials. */
  url: URL;
  /** Query parameter names that carry the credential (API-key-in-query auth): always redacted. */
  secretParams: string[];
  attempts: number;
}

/** The query parameter the provider's credential travels in, whatever its name: never logged or shown. */
export function querySecretParams(p: Prepared): string[] {
  const auth = p.config.auth;
  return auth.type === "API_KEY" && auth.placement === "query" && auth.name ? [auth.name] : [];
}

export class ConnectionClient {
  readonly http: ConnectionHttp;
  readonly #limiters = new Map<string, RateLimiter>();
  #ring?: Promise<MasterKeyRing>;

  constructor(
    private readonly ctx: ServiceContext,
    readonly stop?: AbortSignal,
  ) {
    this.http = new ConnectionHttp(stop);
  }

  ring(): Promise<MasterKeyRing> {
    this.#ring ??= requireMasterKeys(this.ctx);
    return this.#ring;
  }

  async prepare(row: ConnectionRow, timeoutMs: number): Promise<Prepared> {
    const provider = row.provider;
    // Where the credential goes (URLs, auth placement, which secret) must be as intg wrote it.
    await checkConfig(
      this.ctx,
      [
        ["IntegrationProvider", provider],
        ["IntegrationConnection", row],
      ],
      await this.ring(),
    );
    const config = connectionConfig(row);
    let credential: Credential = { kind: "none" };
    if (provider.authType !== "NONE") {
      const opened = row.credentialSecretId
        ? await openSecretValue(this.ctx.sql, await this.ring(), row.credentialSecretId)
        : undefined;
      if (!opened)
        throw new CredentialError(
          `${row.id} has no credential.`,
          `Set one with: intg connections set-credentials ${row.id}`,
          "NO_CREDENTIAL",
        );
      // The provider's auth type may have changed since the credential was set: say so, rather
      // than send a request that authenticates some other way or not at all.
      const wanted = CREDENTIAL_TOKEN_TYPE[provider.authType];
      if (row.secret?.tokenType !== wanted)
        throw new CredentialError(
          `${row.id} holds a ${String(row.secret?.tokenType)} credential, but its provider now authenticates with ${provider.authType.toLowerCase()}.`,
          `Set a ${wanted} with: intg connections set-credentials ${row.id}`,
          "CREDENTIAL_TYPE_MISMATCH",
        );
      credential = deserialiseCredential(provider.authType, opened.value);
    }
    const rate = effectiveRateLimit(row);
    let limiter = this.#limiters.get(row.id);
    if (rate && (!limiter || limiter.perMinute !== rate)) this.#limiters.set(row.id, (limiter = new RateLimiter(rate)));
    return {
      config: {
        connectionId: row.id,
        baseUrl: typeof config?.baseUrl === "string" ? config.baseUrl : provider.baseUrl,
        auth: authOf(provider),
        credentialSecretId: row.credentialSecretId,
        rateLimitPerMinute: rate,
        timeoutMs,
        paginationStyle: provider.paginationStyle as PaginationStyle | null,
        allowPrivateNetworks: privateNetworksAllowed(this.ctx.env, allowsPrivateNetwork(provider)),
      },
      credential,
      limiter: rate ? limiter! : null,
    };
  }

  async send(p: Prepared, method: string, path: string, options: SendOptions): Promise<Sent> {
    // Before anything is sent or logged: a path leaving the base URL is refused (exit 2).
    const url = resolveUnderBase(p.config.baseUrl, path);
    let attempts = 0;
    for (;;) {
      attempts++;
      await p.limiter?.acquire((ms) =>
        this.ctx.onWait?.({ reason: `Waiting for ${p.config.connectionId}'s rate limit`, ms }),
      );
      const headers = { accept: "application/json", ...options.headers };
      const target = new URL(url);
      await this.authenticate(p, method, target, headers, options);
      const res: Sent = {
        ...(await this.http.send({
          url: target,
          method,
          headers,
          body: options.body,
          timeoutMs: p.config.timeoutMs,
          allowPrivate: p.config.allowPrivateNetworks,
        })),
        method,
        url: target,
        attempts,
        secretParams: querySecretParams(p),
      };
      await options.onAttempt?.(res);
      const wait = res.statusCode === 429 ? retryAfterMs(res.headers["retry-after"]) : undefined;
      if (wait === undefined || attempts > (options.retries429 ?? 0) || wait > (options.maxRetryAfterMs ?? 60_000))
        return res;
      // Every request through this connection waits, not just this one.
      p.limiter?.pause(wait);
      const done = this.ctx.onWait?.({ reason: `The provider asked ${p.config.connectionId} to wait (429)`, ms: wait });
      try {
        await new Promise((resolve) => setTimeout(resolve, wait));
      } finally {
        done?.();
      }
    }
  }

  private async authenticate(
    p: Prepared,
    method: string,
    url: URL,
    headers: Record<string, string>,
    options: SendOptions,
  ): Promise<void> {
    const c = p.credential;
    const { auth, connectionId, timeoutMs, allowPrivateNetworks } = p.config;
    if (auth.type === "API_KEY" && c.kind === "value") {
      if (auth.placement === "query") url.searchParams.set(auth.name, c.value);
      else headers[auth.name] = c.value;
    } else if (auth.type === "BEARER_TOKEN" && c.kind === "value") headers.authorization = `Bearer ${c.value}`;
    else if (auth.type === "BASIC" && c.kind === "basic")
      headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}`;
    else if (
      (auth.type === "OAUTH2_CLIENT_CREDENTIALS" || auth.type === "OAUTH2_REFRESH_TOKEN") &&
      (c.kind === "client" || c.kind === "refresh")
    ) {
      const token = await accessToken(
        this.ctx,
        await this.ring(),
        this.http,
        {
          connectionId,
          tokenUrl: auth.tokenUrl,
          scopes: auth.scopes,
          allowPrivate: allowPrivateNetworks,
          credential: c,
        },
        timeoutMs,
      );
      headers.authorization = `Bearer ${token}`;
    } else if (auth.type === "HMAC" && c.kind === "value") {
      // Signed: timestamp, method, path with query, body; the timestamp travels alongside.
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signed = `${timestamp}\n${method}\n${url.pathname}${url.search}\n${options.body ?? ""}`;
      headers[auth.headerName.toLowerCase()] = createHmac(auth.algorithm, c.value).update(signed).digest(auth.encoding);
      headers["x-signature-timestamp"] = timestamp;
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
