import type { Command } from "commander";
import { addRenamedOption, enumListOption } from "../../cli/flags.js";
import { parseEnumList } from "../../cli/parse.js";
import type { ConnectionFilter } from "../../services/connections/rows.js";
import { IntegrationConnectionStatus, IntegrationEnvironment } from "../../types/enums.js";

export interface SelectFlags {
  environment?: string;
  provider?: string;
  status?: string;
}

/** --environment, --provider and --status, shared by list and check. */
export function addSelectFlags(command: Command): Command {
  const environment = enumListOption(
    "--environment <list>",
    "only these environments (comma-separated)",
    IntegrationEnvironment,
  );
  return addRenamedOption(command, environment, "--env <list>")
    .option("--provider <list>", "only connections to these providers (slugs or ids, comma-separated)")
    .addOption(enumListOption("--status <list>", "only these statuses (comma-separated)", IntegrationConnectionStatus));
}

export function toSelection(flags: SelectFlags): ConnectionFilter {
  return {
    environments:
      flags.environment === undefined
        ? undefined
        : parseEnumList("--environment", flags.environment, IntegrationEnvironment),
    providers: flags.provider
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    statuses:
      flags.status === undefined ? undefined : parseEnumList("--status", flags.status, IntegrationConnectionStatus),
  };
}
