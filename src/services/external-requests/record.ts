import { UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { insertRequest, type RequestRow } from "../../db/queries/external-api-request.js";
import { newId } from "../../lib/ids.js";
import { stripUrlCredentials } from "../../lib/url-credentials.js";
import type { ExternalApiRequestInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";

export interface ExternalRequestInput {
  connectionId: string | null;
  method: string;
  /** As requested; credentials are stripped here, before anything is stored. */
  url: string;
  /** Query parameters that carry a credential whatever their name (a provider's API-key parameter). */
  secretParams?: readonly string[];
  /** Null when no response came (network error, timeout). */
  statusCode: number | null;
  latencyMs: number;
  errorKind?: string | null;
  requestBytes?: number;
  responseBytes?: number;
}

export type { RequestRow };

export function toRequestInfo(r: RequestRow): ExternalApiRequestInfo {
  const { id, connectionId, method, url, statusCode, latencyMs, errorKind, requestBytes, responseBytes } = r;
  const createdAt = r.createdAt.toISOString();
  return { id, connectionId, method, url, statusCode, latencyMs, errorKind, requestBytes, responseBytes, createdAt };
}

/**
 * Logs one outbound API call made through a connection (the connections feature calls this after
 * every request). The URL is stored without credentials; nothing else of the request is kept.
 */
export async function recordExternalRequest(
  ctx: Pick<ServiceContext, "sql" | "now">,
  input: ExternalRequestInput,
): Promise<ExternalApiRequestInfo> {
  const method = input.method.trim().toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(method)) throw new UsageError(`"${input.method}" is not an HTTP method.`);
  if (
    input.statusCode !== null &&
    !(Number.isInteger(input.statusCode) && input.statusCode >= 100 && input.statusCode <= 599)
  ) {
    throw new UsageError(`${input.statusCode} is not an HTTP status code.`);
  }
  const count = (n: number | undefined, what: string) => {
    const v = Math.round(n ?? 0);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${what} must be a non-negative number, not ${n}.`);
    return v;
  };
  const row: RequestRow = {
    id: newId("request", ctx.now()),
    connectionId: input.connectionId,
    method,
    url: stripUrlCredentials(input.url, input.secretParams),
    statusCode: input.statusCode,
    latencyMs: count(input.latencyMs, "latencyMs"),
    errorKind: input.errorKind ?? null,
    requestBytes: count(input.requestBytes, "requestBytes"),
    responseBytes: count(input.responseBytes, "responseBytes"),
    createdAt: ctx.now(),
  };
  await insertRequest(typed(ctx.sql), row);
  return toRequestInfo(row);
}
