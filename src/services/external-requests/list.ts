import { UsageError } from "../../errors.js";
import type { ExternalApiRequestInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { REQUEST_COLUMNS, toRequestInfo, type RequestRow } from "./record.js";

export interface ListExternalRequestsInput {
  connectionId?: string;
  /** Only requests made at or after this time. */
  since?: Date;
  limit: number;
}

export const MAX_REQUESTS_LIMIT = 10_000;

/** Outbound calls, newest first (both filters are served by the table's indexes). */
export async function listExternalRequests(ctx: Pick<ServiceContext, "sql">, input: ListExternalRequestsInput): Promise<ExternalApiRequestInfo[]> {
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_REQUESTS_LIMIT) {
    throw new UsageError(`The limit must be a whole number from 1 to ${MAX_REQUESTS_LIMIT}, not ${input.limit}.`);
  }
  const where: string[] = [];
  const params: unknown[] = [];
  if (input.connectionId !== undefined) {
    where.push(`"connectionId" = ?`);
    params.push(input.connectionId);
  }
  if (input.since) {
    where.push(`"createdAt" >= ?`);
    params.push(input.since);
  }
  const filter = where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "";
  const rows = await ctx.sql.all<RequestRow>(`SELECT ${REQUEST_COLUMNS} FROM "ExternalApiRequest"${filter} ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`, [...params, input.limit]);
  return rows.map(toRequestInfo);
}
