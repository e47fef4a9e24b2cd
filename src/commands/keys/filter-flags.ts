import type { Command } from "commander";
import { durationOption, enumListOption, enumOption, KEY_ENVIRONMENTS } from "../../cli/flags.js";
import { parseDurationFlag, parseEnum, parseEnumList } from "../../cli/parse.js";
import { ApiKeyScope, ApiKeyStatus } from "../../types/enums.js";
import type { ApiKeyEnvironment, ApiKeyFilter } from "../../types/integration/api.types.js";

export interface FilterFlags {
  status?: string;
  scope?: string;
  env?: string;
  owner?: string;
  expiringWithin?: string;
  unusedFor?: string;
}

/** The filter flags `keys list` and `keys revoke --where` share. */
export function addFilterFlags(cmd: Command): Command {
  return cmd
    .addOption(enumListOption("--status <s,...>", "keys in these states", ApiKeyStatus))
    .addOption(enumListOption("--scope <s,...>", "keys holding all these scopes", ApiKeyScope))
    .addOption(enumOption("--env <env>", "keys of this environment", KEY_ENVIRONMENTS))
    .option("--owner <id>", "keys of this owner")
    .addOption(durationOption("--expiring-within <duration>", "keys expiring within this time, e.g. 7d"))
    .addOption(
      durationOption("--unused-for <duration>", "keys not used (or, never used, created) for this long, e.g. 90d"),
    );
}

export function toFilter(flags: FilterFlags, now: Date): ApiKeyFilter {
  const filter: ApiKeyFilter = {};
  if (flags.status) filter.status = parseEnumList("--status", flags.status, ApiKeyStatus);
  if (flags.scope) filter.scopes = parseEnumList("--scope", flags.scope, ApiKeyScope);
  if (flags.env) filter.environment = parseEnvironment(flags.env);
  if (flags.owner) filter.ownerId = flags.owner;
  if (flags.expiringWithin)
    filter.expiresBefore = new Date(
      now.getTime() + parseDurationFlag("--expiring-within", flags.expiringWithin),
    ).toISOString();
  if (flags.unusedFor)
    filter.notUsedSince = new Date(now.getTime() - parseDurationFlag("--unused-for", flags.unusedFor)).toISOString();
  return filter;
}

export const parseEnvironment = (text: string): ApiKeyEnvironment => parseEnum("--env", text, KEY_ENVIRONMENTS);
