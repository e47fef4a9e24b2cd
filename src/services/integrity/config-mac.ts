import { CredentialError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import { endpointMacFields, endpointsWithoutMac, setEndpointMac } from "../../db/queries/webhook-endpoint.js";
import { col, type SqlClient } from "../../db/sql.js";
import { nodeCrypto } from "../../lib/lazy-builtins.js";
import { sortKeys } from "../audit/chain.js";

// MACs over the configuration that decides where a credential or a signed delivery goes (DESIGN
// §6): a provider's URLs and auth placement (both in its config), a connection's provider,
// environment, credential and config, an endpoint's URL, channel and network policy. Whoever can
// write to the database but has no master key cannot make a valid MAC, so a repointed row is
// refused before anything is decrypted.

export type SealedTable = "IntegrationProvider" | "IntegrationConnection" | "WebhookEndpoint";

const FIELDS: Record<SealedTable, readonly string[]> = {
  IntegrationProvider: ["baseUrl", "authType", "healthCheckMethod", "healthCheckPath", "config"],
  IntegrationConnection: ["providerId", "environment", "credentialSecretId", "config"],
  // Not the headers: sealed and bound to their endpoint already, they redirect nothing, and a
  // master-key rotation re-seals them without the MAC key at hand.
  WebhookEndpoint: ["url", "channel", "allowPrivateNetwork"],
};
const JSON_FIELDS = new Set(["config"]);
const BOOL_FIELDS = new Set(["allowPrivateNetwork"]);
const PREFIX = "m1:";

export const LABEL: Record<SealedTable, string> = {
  IntegrationProvider: "Provider",
  IntegrationConnection: "Connection",
  WebhookEndpoint: "Webhook endpoint",
};

function normalise(field: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (JSON_FIELDS.has(field)) return sortKeys(col.json(v));
  if (BOOL_FIELDS.has(field)) return col.bool(v);
  return String(v);
}

export function configMac(table: SealedTable, row: Record<string, unknown>, key: Buffer): string {
  const text = JSON.stringify([table, String(row.id), ...FIELDS[table].map((f) => normalise(f, row[f]))]);
  return PREFIX + nodeCrypto().createHmac("sha256", key).update(text).digest("base64url");
}

const selectList = (table: SealedTable) => ["id", ...FIELDS[table]].map((f) => `"${f}"`).join(",");

/** Stores the MAC of the row as it is now in this transaction: call it after every write. */
export async function sealRow(tx: SqlClient, table: SealedTable, id: string, key: Buffer): Promise<void> {
  if (table === "WebhookEndpoint") {
    const row = await endpointMacFields(typed(tx), id);
    if (row) await setEndpointMac(typed(tx), id, configMac(table, row, key));
    return;
  }
  const row = await tx.get<Record<string, unknown>>(`SELECT ${selectList(table)} FROM "${table}" WHERE "id" = ?`, [id]);
  if (row) await tx.run(`UPDATE "${table}" SET "configMac" = ? WHERE "id" = ?`, [configMac(table, row, key), id]);
}

/** Seals every row that has no MAC yet (rows written before intg sealed them); returns the counts. */
export async function sealUnsealedRows(tx: SqlClient, key: Buffer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(FIELDS) as SealedTable[]) {
    if (table === "WebhookEndpoint") {
      const rows = await endpointsWithoutMac(typed(tx));
      for (const row of rows) await setEndpointMac(typed(tx), row.id, configMac(table, row, key));
      counts[table] = rows.length;
      continue;
    }
    const rows = await tx.all<Record<string, unknown>>(
      `SELECT ${selectList(table)} FROM "${table}" WHERE "configMac" IS NULL ORDER BY "id"`,
    );
    for (const row of rows)
      await tx.run(`UPDATE "${table}" SET "configMac" = ? WHERE "id" = ?`, [configMac(table, row, key), row.id]);
    counts[table] = rows.length;
  }
  return counts;
}

/** Refuses (exit 4) a row whose MAC is missing or does not match, naming it. `row` holds FIELDS and configMac. */
export function checkRow(table: SealedTable, row: Record<string, unknown>, key: Buffer): void {
  const stored = typeof row.configMac === "string" ? row.configMac : "";
  const want = Buffer.from(configMac(table, row, key));
  const got = Buffer.from(stored);
  if (want.length === got.length && nodeCrypto().timingSafeEqual(want, got)) return;
  const what = `${LABEL[table]} ${String(row.id)}`;
  throw new CredentialError(
    stored
      ? `${what} failed its integrity check: its ${FIELDS[table].join(", ")} changed outside intg. Nothing was decrypted or sent.`
      : `${what} has no integrity MAC: it was written outside intg. Nothing was decrypted or sent.`,
    "Review the row; if it is right, save it again through intg (its update command) with the master key at hand.",
    "CONFIG_INTEGRITY_FAILED",
  );
}
