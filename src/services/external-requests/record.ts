import { UsageError } from "../../errors.js";
import { col } from "../../db/sql.js";
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

export const REQUEST_COLUMNS = `"id","connectionId","method","url","statusCode","latencyMs","errorKind","requestBytes","responseBytes","createdAt"`;

export interface RequestRow {
  id: string;
  connectionId: string | null;
  method: string;
  url: string;
  statusCode: number | string | null;
  latencyMs: number | string;
  errorKind: string | null;
  requestBytes: number | string;
  responseBytes: number | string;
  createdAt: unknown;
}

export function toRequestInfo(row: RequestRow): ExternalApiRequestInfo {
  return {
    id: row.id,
    connectionId: row.connectionId,
    method: row.method,
    url: row.url,
    statusCode: row.statusCode === null ? null : Number(row.statusCode),
    latencyMs: Number(row.latencyMs),
    errorKind: row.errorKind,
    requestBytes: Number(row.requestBytes),
    responseBytes: Number(row.responseBytes),
    createdAt: col.date(row.createdAt).toISOString(),
  };
}

/**
 * Logs one outbound API call made through a connection (the connections feature calls this after
 * every request). The URL is stored without credentials; nothing else of the request is kept.
 */
export async function recordExternalRequest(ctx: Pick<ServiceContext, "sql" | "now">, input: ExternalRequestInput): Promise<ExternalApiRequestInfo> {
  const method = input.method.trim().toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(method)) throw new UsageError(`"${input.method}" is not an HTTP method.`);
  if (input.statusCode !== null && !(Number.isInteger(input.statusCode) && input.statusCode >= 100 && input.statusCode <= 599)) {
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
  await ctx.sql.run(`INSERT INTO "ExternalApiRequest" (${REQUEST_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)`, [
    row.id, row.connectionId, row.method, row.url, row.statusCode, row.latencyMs, row.errorKind, row.requestBytes, row.responseBytes, row.createdAt,
  ]);
  return toRequestInfo(row);
}
