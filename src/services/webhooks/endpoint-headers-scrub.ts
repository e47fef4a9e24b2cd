import type { SqlClient } from "../../db/sql.js";
import { REDACTED_VALUE } from "./endpoint-headers.js";

// Attempt records made before endpoint headers were sealed hold their values as sent. When an
// endpoint's plaintext headers are sealed (its next update, or a master-key rotation), the same
// names in its attempts' requestHeaders are redacted too, in place: one statement per name, run
// once per endpoint, so no value it was given stays in the clear anywhere in the database.

export async function scrubAttemptHeaders(sql: SqlClient, endpointId: string, names: readonly string[]) {
  let changed = 0;
  for (const name of names) {
    if (sql.provider === "postgresql") {
      changed += await sql.run(
        `UPDATE "WebhookDeliveryAttempt"
         SET "requestHeaders" = jsonb_set("requestHeaders", ARRAY[?]::text[], to_jsonb(?::text))
         WHERE "endpointId" = ? AND "requestHeaders" ->> ? IS NOT NULL AND "requestHeaders" ->> ? <> ?`,
        [name, REDACTED_VALUE, endpointId, name, name, REDACTED_VALUE],
      );
    } else {
      // A JSON path quotes the name: header names may hold '.', which a path would otherwise split at.
      const path = `$."${name}"`;
      changed += await sql.run(
        `UPDATE "WebhookDeliveryAttempt" SET "requestHeaders" = json_set("requestHeaders", ?, ?)
         WHERE "endpointId" = ? AND json_extract("requestHeaders", ?) IS NOT NULL
           AND json_extract("requestHeaders", ?) <> ?`,
        [path, REDACTED_VALUE, endpointId, path, path, REDACTED_VALUE],
      );
    }
  }
  return changed;
}
