import { IntgError } from "../../errors.js";
import type { IntegrationConnectionImportResult } from "../../types/integration/integration.types.js";
import type { ServiceContext } from "../context.js";
import type { ConnectionConfig } from "./validate.js";
import { createConnection } from "./write.js";

// `connections import <config.json>`: every connection of a validated file, created in one
// transaction (a conflict anywhere writes nothing). A dry run creates them and rolls back.

export interface ConnectionToImport {
  /** Where the entry is in the file, for messages: `connections[2]`. */
  at: string;
  config: ConnectionConfig;
  /** Read from the entry's fromEnv or fromFile; null when the provider takes none. */
  credential: string | null;
}

class RollBack extends Error {}

export async function importConnections(
  ctx: ServiceContext,
  entries: ConnectionToImport[],
  options: { dryRun: boolean },
): Promise<IntegrationConnectionImportResult> {
  const result: IntegrationConnectionImportResult = { created: [], dryRun: options.dryRun };
  try {
    await ctx.sql.transaction(async (tx) => {
      for (const { at, config: c, credential } of entries) {
        try {
          const written = await createConnection(
            { ...ctx, sql: tx },
            {
              provider: c.provider,
              environment: c.environment,
              name: c.name,
              config: c.config ?? null,
              rateLimitPerMinute: c.rateLimitPerMinute ?? null,
              credential,
            },
          );
          result.created.push(written.connection);
        } catch (error) {
          // Name the entry: a file of fifty connections needs the place, not just the reason.
          if (error instanceof IntgError)
            throw new IntgError(error.code, `${at || "The connection"}: ${error.message}`, error.kind, error.hint);
          throw error;
        }
      }
      if (options.dryRun) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
  return result;
}
