import { CredentialError, IntgError } from "../../errors.js";
import { TokenType } from "../../db/generated/kysely/enums.js";
import { typed } from "../../db/kysely.js";
import { connectionState, lockTokenRefresh } from "../../db/queries/integration-connection.js";
import { secretCipherByName } from "../../db/queries/integration-secret.js";
import type { SqlClient } from "../../db/sql.js";
import { decrypt } from "../../lib/crypto.js";
import type { ServiceContext } from "../context.js";
import { requireKey, type MasterKeyRing } from "../secrets/master-key.js";
import { setSecret } from "../secrets/set.js";
import {
  accessTokenSecretName,
  credentialSecretName,
  deserialiseCredential,
  openSecretValue,
  serialiseCredential,
  type Credential,
} from "./credential.js";
import { recordEvent } from "./events.js";
import type { ConnectionHttp } from "./http.js";

// OAuth2 access tokens for a connection, cached encrypted as an IntegrationSecret. A token is
// renewed before it expires, under a per-connection lock held across the token request: a second
// process waits, then finds the fresh token and uses it. Two processes therefore never spend the
// same refresh token twice (providers that rotate refresh tokens revoke the grant when they do).

/** Renew this long before expiry, so a token never expires in flight. */
export const EXPIRY_SKEW_MS = 60_000;
const DEFAULT_LIFETIME_S = 3600;

export interface OAuthTarget {
  connectionId: string;
  tokenUrl: string;
  scopes: string[];
  allowPrivate: boolean;
  credential: Extract<Credential, { kind: "client" | "refresh" }>;
}

type Ctx = ServiceContext;

async function cached(ctx: Ctx, ring: MasterKeyRing, connectionId: string): Promise<string | undefined> {
  const row = await secretCipherByName(typed(ctx.sql), accessTokenSecretName(connectionId));
  const expiresAt = row?.expiresAt;
  if (!row || !expiresAt || expiresAt.getTime() - EXPIRY_SKEW_MS <= ctx.now().getTime()) return undefined;
  const label = `The access token of ${connectionId}`;
  return decrypt((id) => requireKey(ring, id, label), row.ciphertext, row.id, label);
}

/** The connection's access token: the cached one while it is fresh, else a new one (under the lock). */
export async function accessToken(
  ctx: Ctx,
  ring: MasterKeyRing,
  http: ConnectionHttp,
  target: OAuthTarget,
  timeoutMs: number,
): Promise<string> {
  const fresh = await cached(ctx, ring, target.connectionId);
  if (fresh) return fresh;
  try {
    return await renew(ctx, ring, http, target, timeoutMs);
  } catch (error) {
    // The renewal rolled back; its failure is recorded on its own, so a silent refresh failure
    // (a weak spot of the tools this learns from) leaves a trace in `connections events`.
    const message = error instanceof Error ? error.message : String(error);
    await recordEvent(ctx.sql, ctx.now(), {
      connectionId: target.connectionId,
      kind: "credentials_refresh_failed",
      message,
    }).catch(() => undefined);
    throw error;
  }
}

async function renew(
  ctx: Ctx,
  ring: MasterKeyRing,
  http: ConnectionHttp,
  target: OAuthTarget,
  timeoutMs: number,
): Promise<string> {
  return ctx.sql.transaction(async (tx) => {
    const txCtx = { ...ctx, sql: tx };
    await lockTokenRefresh(typed(tx), target.connectionId);
    const again = await cached(txCtx, ring, target.connectionId);
    if (again) return again; // another process renewed it while this one waited
    if (target.credential.kind === "refresh") target.credential = await currentRefreshCredential(tx, ring, target);
    const granted = await requestToken(http, target, timeoutMs);
    const expiresAt = new Date(ctx.now().getTime() + Math.max(1, granted.expiresIn ?? DEFAULT_LIFETIME_S) * 1000);
    await setSecret(txCtx, {
      name: accessTokenSecretName(target.connectionId),
      tokenType: TokenType.OAUTH2_ACCESS_TOKEN,
      value: granted.accessToken,
      expiresAt,
    });
    if (
      target.credential.kind === "refresh" &&
      granted.refreshToken &&
      granted.refreshToken !== target.credential.refreshToken
    ) {
      // The provider rotated the refresh token: the old one is spent, keep the new one.
      target.credential.refreshToken = granted.refreshToken;
      await setSecret(txCtx, {
        name: credentialSecretName(target.connectionId),
        value: serialiseCredential(target.credential),
      });
    }
    await recordEvent(tx, ctx.now(), {
      connectionId: target.connectionId,
      kind: "credentials_refreshed",
      message: `access token obtained (${target.credential.kind === "client" ? "client_credentials" : "refresh_token"} grant), valid until ${expiresAt.toISOString()}`,
    });
    return granted.accessToken;
  });
}

/**
 * The refresh token as stored now, read under the lock: another process may have rotated it since
 * this one decrypted the credential, and the old one is spent.
 */
async function currentRefreshCredential(
  tx: SqlClient,
  ring: MasterKeyRing,
  target: OAuthTarget,
): Promise<OAuthTarget["credential"]> {
  const secretId = (await connectionState(typed(tx), target.connectionId))?.credentialSecretId;
  const opened = secretId ? await openSecretValue(tx, ring, secretId) : undefined;
  const current = opened && deserialiseCredential("OAUTH2_REFRESH_TOKEN", opened.value);
  return current && current.kind === "refresh" ? current : target.credential;
}

interface Granted {
  accessToken: string;
  expiresIn: number | undefined;
  refreshToken: string | undefined;
}

async function requestToken(http: ConnectionHttp, target: OAuthTarget, timeoutMs: number): Promise<Granted> {
  const c = target.credential;
  const form = new URLSearchParams(
    c.kind === "client"
      ? { grant_type: "client_credentials" }
      : { grant_type: "refresh_token", refresh_token: c.refreshToken },
  );
  form.set("client_id", c.clientId);
  if (c.clientSecret) form.set("client_secret", c.clientSecret);
  if (target.scopes.length) form.set("scope", target.scopes.join(" "));
  const res = await http.send({
    url: new URL(target.tokenUrl),
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: form.toString(),
    timeoutMs,
    allowPrivate: target.allowPrivate,
  });
  if (res.statusCode === null)
    throw new TokenEndpointError(res.errorKind ?? "network", `The token endpoint did not answer: ${res.error}`);
  if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
    // The error code (invalid_grant, invalid_client) says why; the body is not echoed further.
    let reason = "";
    try {
      reason = String((JSON.parse(res.body) as { error?: unknown }).error ?? "");
    } catch {
      /* not JSON */
    }
    throw new CredentialError(
      `The token endpoint refused the connection's credential (${res.statusCode}${/^[a-z_]{1,64}$/.test(reason) ? ` ${reason}` : ""}).`,
      `Replace it with: intg connections set-credentials ${target.connectionId}`,
      "OAUTH_REFUSED",
    );
  }
  let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown };
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new TokenEndpointError(
      "unexpected_status",
      `The token endpoint answered ${res.statusCode} without a JSON token.`,
    );
  }
  if (res.statusCode < 200 || res.statusCode > 299 || typeof body.access_token !== "string")
    throw new TokenEndpointError(
      "unexpected_status",
      `The token endpoint answered ${res.statusCode} without an access_token.`,
    );
  return {
    accessToken: body.access_token,
    expiresIn: typeof body.expires_in === "number" ? body.expires_in : undefined,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : undefined,
  };
}

/** The token endpoint failed for a reason other than the credential (exit 1). */
export class TokenEndpointError extends IntgError {
  constructor(
    readonly reason: "network" | "timeout" | "unexpected_status",
    message: string,
  ) {
    super("TOKEN_ENDPOINT_FAILED", message);
  }
}
