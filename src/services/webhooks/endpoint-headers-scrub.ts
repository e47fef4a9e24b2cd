import { typed } from "../../db/kysely.js";
import { redactAttemptHeader } from "../../db/queries/webhook-delivery-attempt.js";
import type { SqlClient } from "../../db/sql.js";
import { REDACTED_VALUE } from "./endpoint-headers.js";

// Attempt records made before endpoint headers were sealed hold their values as sent. When an
// endpoint's plaintext headers are sealed (its next update, or a master-key rotation), the same
// names in its attempts' requestHeaders are redacted too, in place: one statement per name, run
// once per endpoint, so no value it was given stays in the clear anywhere in the database.

export async function scrubAttemptHeaders(sql: SqlClient, endpointId: string, names: readonly string[]) {
  let changed = 0;
  for (const name of names) changed += await redactAttemptHeader(typed(sql), endpointId, name, REDACTED_VALUE);
  return changed;
}
