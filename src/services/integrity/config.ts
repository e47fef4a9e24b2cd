import type { ServicesCtx } from "./root.js";
import { integrityKeys } from "./root.js";
import { checkRow, sealRow, type SealedTable } from "./config-mac.js";

// What services call: seal a row after writing it, check one before trusting it. Both need the
// master key (the first call on a database creates the integrity root).

export async function sealConfig(ctx: ServicesCtx, table: SealedTable, id: string): Promise<void> {
  await sealRow(ctx.sql, table, id, (await integrityKeys(ctx)).config);
}

export async function checkConfig(ctx: ServicesCtx, checks: [SealedTable, Record<string, unknown>][]): Promise<void> {
  const key = (await integrityKeys(ctx)).config;
  for (const [table, row] of checks) checkRow(table, row, key);
}
