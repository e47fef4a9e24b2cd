import { CredentialError } from "../../errors.js";
import { typed } from "../../db/kysely.js";
import * as connection from "../../db/queries/integration-connection.js";
import * as provider from "../../db/queries/integration-provider.js";
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

const PROVIDER_FIELDS = ["baseUrl", "authType", "healthCheckMethod", "healthCheckPath", "config"] as const;
const CONNECTION_FIELDS = ["providerId", "environment", "credentialSecretId", "config"] as const;
const FIELDS: Record<SealedTable, readonly string[]> = {
  IntegrationProvider: PROVIDER_FIELDS,
  IntegrationConnection: CONNECTION_FIELDS,
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

// Rows come from readers of both kinds: raw SQL on SQLite gives JSON as text and booleans as 0/1,
// the typed layer the values. intg writes configs as objects, whose text always parses.
function normalise(field: string, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (JSON_FIELDS.has(field)) return sortKeys(typeof v === "string" ? parsedOrText(v) : v);
  if (BOOL_FIELDS.has(field)) return col.bool(v);
  return String(v);
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // a typed read of a JSON string value
  }
}

export function configMac(table: SealedTable, row: Record<string, unknown>, key: Buffer): string {
  const text = JSON.stringify([table, String(row.id), ...FIELDS[table].map((f) => normalise(f, row[f]))]);
  return PREFIX + nodeCrypto().createHmac("sha256", key).update(text).digest("base64url");
}

type MacRow = Record<string, unknown> & { id: string };

/** Per table: read the MAC'd columns of one row, of every unsealed row, and store a MAC. */
interface MacStatements {
  one(id: string): Promise<MacRow | undefined>;
  unsealed(): Promise<MacRow[]>;
  store(id: string, mac: string): Promise<void>;
}

function statements(tx: SqlClient, table: SealedTable): MacStatements {
  const db = typed(tx);
  switch (table) {
    case "IntegrationProvider":
      return {
        one: (id) => provider.providerMacFields(db, id, PROVIDER_FIELDS),
        unsealed: () => provider.unsealedProviders(db, PROVIDER_FIELDS),
        store: (id, mac) => provider.setProviderConfigMac(db, id, mac),
      };
    case "IntegrationConnection":
      return {
        one: (id) => connection.connectionMacFields(db, id, CONNECTION_FIELDS),
        unsealed: () => connection.unsealedConnections(db, CONNECTION_FIELDS),
        store: (id, mac) => connection.setConnectionConfigMac(db, id, mac),
      };
    case "WebhookEndpoint":
      return {
        one: (id) => endpointMacFields(db, id),
        unsealed: () => endpointsWithoutMac(db),
        store: (id, mac) => setEndpointMac(db, id, mac),
      };
  }
}

/** Stores the MAC of the row as it is now in this transaction: call it after every write. */
export async function sealRow(tx: SqlClient, table: SealedTable, id: string, key: Buffer): Promise<void> {
  const s = statements(tx, table);
  const row = await s.one(id);
  if (row) await s.store(id, configMac(table, row, key));
}

/** Seals every row that has no MAC yet (rows written before intg sealed them); returns the counts. */
export async function sealUnsealedRows(tx: SqlClient, key: Buffer): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(FIELDS) as SealedTable[]) {
    const s = statements(tx, table);
    const rows = await s.unsealed();
    for (const row of rows) await s.store(row.id, configMac(table, row, key));
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
