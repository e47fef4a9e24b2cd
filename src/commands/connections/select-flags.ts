import type { Command } from "commander";
import { parseEnumList } from "../../cli/parse.js";
import type { ConnectionFilter } from "../../services/connections/rows.js";
import { IntegrationConnectionStatus, IntegrationEnvironment } from "../../types/enums.js";

export interface SelectFlags {
  env?: string;
  provider?: string;
  status?: string;
}

/** --env, --provider and --status, shared by list and check. */
export function addSelectFlags(command: Command): Command {
  return command
    .option("--env <list>", "only these environments (comma-separated)")
    .option("--provider <list>", "only connections to these providers (slugs or ids, comma-separated)")
    .option(
      "--status <list>",
      "only these statuses: pending, healthy, degraded, unhealthy, credentials_invalid, disabled",
    );
}

export function toSelection(flags: SelectFlags): ConnectionFilter {
  return {
    environments: flags.env === undefined ? undefined : parseEnumList("--env", flags.env, IntegrationEnvironment),
    providers: flags.provider
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    statuses:
      flags.status === undefined ? undefined : parseEnumList("--status", flags.status, IntegrationConnectionStatus),
  };
}
