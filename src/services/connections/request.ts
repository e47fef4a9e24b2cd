import { ConflictError, IntgError } from "../../errors.js";
import { IntegrationConnectionStatus, IntegrationProviderStatus } from "../../db/generated/kysely/enums.js";
import { stripUrlCredentials } from "../../lib/url-credentials.js";
import type { ApiResponse } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { recordExternalRequest } from "../external-requests/record.js";
import { ConnectionClient, type Sent } from "./client.js";
import { findConnectionRow } from "./rows.js";

// `connections request <id> <METHOD> <path>`: one authenticated call through a connection, like
// `gh api`. Every attempt is logged as an ExternalApiRequest (the URL without credentials); a 429
// with Retry-After is waited out and retried, up to three times.

export interface RequestInput {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Ctrl-C: the request in flight is abandoned (used when no client is given). */
  signal?: AbortSignal;
}

const RETRIES_429 = 3;

/** What the log keeps as the kind of failure; null for a 2xx/3xx answer. */
export function requestErrorKind(res: Pick<Sent, "statusCode" | "errorKind">): string | null {
  if (res.statusCode === null) return res.errorKind ?? "network";
  if (res.statusCode === 401 || res.statusCode === 403) return "auth";
  if (res.statusCode === 429) return "rate_limited";
  return res.statusCode >= 400 ? "unexpected_status" : null;
}

/** With `client`, requests share its pools, rate limiters and tokens (the caller closes it). */
export async function requestThrough(
  ctx: ServiceContext,
  id: string,
  input: RequestInput,
  client?: ConnectionClient,
): Promise<ApiResponse> {
  const own = client ?? new ConnectionClient(ctx, input.signal);
  try {
    return await send(ctx, id, input, own);
  } finally {
    if (!client) await own.close();
  }
}

async function send(
  ctx: ServiceContext,
  id: string,
  input: RequestInput,
  client: ConnectionClient,
): Promise<ApiResponse> {
  const row = await findConnectionRow(ctx.sql, id);
  if (row.status === IntegrationConnectionStatus.DISABLED)
    throw new ConflictError(
      `${row.id} is disabled.`,
      `Enable it with: intg connections enable ${row.id}`,
      "CONNECTION_DISABLED",
    );
  if (row.provider.status === IntegrationProviderStatus.DISABLED)
    throw new ConflictError(
      `The provider of ${row.id} (${row.provider.slug}) is disabled.`,
      undefined,
      "PROVIDER_DISABLED",
    );
  const method = input.method.toUpperCase();
  const prepared = await client.prepare(row, input.timeoutMs);
  let lastRequestId = "";
  const res = await client.send(prepared, method, input.path, {
    headers: input.headers,
    body: input.body,
    retries429: RETRIES_429,
    onAttempt: async (attempt) => {
      const logged = await recordExternalRequest(ctx, {
        connectionId: row.id,
        method,
        url: attempt.url.toString(),
        secretParams: attempt.secretParams,
        statusCode: attempt.statusCode,
        latencyMs: attempt.latencyMs,
        errorKind: requestErrorKind(attempt),
        requestBytes: Buffer.byteLength(input.body ?? ""),
        responseBytes: attempt.responseBytes,
      });
      lastRequestId = logged.id;
    },
  });
  const url = stripUrlCredentials(res.url.toString(), res.secretParams);
  if (res.statusCode === null && input.signal?.aborted)
    throw new IntgError("INTERRUPTED", `Interrupted: ${method} ${url} was abandoned.`, "interrupted");
  if (res.statusCode === null)
    throw new IntgError(
      res.errorKind === "timeout" ? "REQUEST_TIMEOUT" : "REQUEST_FAILED",
      `${method} ${url} failed: ${res.error}`,
    );
  let body: unknown = res.body;
  if (/json/i.test(res.headers["content-type"] ?? "")) {
    try {
      body = JSON.parse(res.body);
    } catch {
      /* served as JSON but is not: keep the text */
    }
  }
  return {
    requestId: lastRequestId,
    connectionId: row.id,
    method,
    url,
    status: res.statusCode,
    headers: res.headers,
    body,
    latencyMs: res.latencyMs,
  };
}
