import { UsageError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { requestRows } from "../../db/queries/external-api-request.js";
import type { ExternalApiRequestInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { toRequestInfo } from "./record.js";

export interface ListExternalRequestsInput {
  connectionId?: string;
  /** Only requests made at or after this time. */
  since?: Date;
  limit: number;
}

export const MAX_REQUESTS_LIMIT = 10_000;

/** Outbound calls, newest first (both filters are served by the table's indexes). */
export async function listExternalRequests(
  ctx: Pick<ServiceContext, "sql">,
  input: ListExternalRequestsInput,
): Promise<ExternalApiRequestInfo[]> {
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_REQUESTS_LIMIT) {
    throw new UsageError(`The limit must be a whole number from 1 to ${MAX_REQUESTS_LIMIT}, not ${input.limit}.`);
  }
  const rows = await requestRows(typed(ctx.sql), { connectionId: input.connectionId, since: input.since }, input.limit);
  return rows.map(toRequestInfo);
}
