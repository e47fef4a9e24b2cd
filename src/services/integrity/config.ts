import type { MasterKeyRing } from "../secrets/master-key.js";
import type { ServicesCtx } from "./root.js";
import { integrityKeys } from "./root.js";
import { checkRow, sealRow, type SealedTable } from "./config-mac.js";

// What services call: seal a row after writing it, check one before trusting it. Both need the
// master key (the first call on a database creates the integrity root).

export async function sealConfig(ctx: ServicesCtx, table: SealedTable, id: string): Promise<void> {
  await sealRow(ctx.sql, table, id, (await integrityKeys(ctx)).config);
}

/** `ring`: the caller's ring when it has one already (the connection client keeps one per command). */
export async function checkConfig(
  ctx: ServicesCtx,
  checks: [SealedTable, Record<string, unknown>][],
  ring?: MasterKeyRing,
): Promise<void> {
  const key = (await integrityKeys(ctx, ring)).config;
  for (const [table, row] of checks) checkRow(table, row, key);
}
