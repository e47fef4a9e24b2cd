import type { Command } from "commander";
import { parseEnumList } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { listConnections, showConnection, type ConnectionFilter } from "../../services/connections/rows.js";
import { IntegrationConnectionStatus, IntegrationEnvironment } from "../../types/enums.js";
import { printConnection, printConnections } from "./render.js";

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

export function registerList(connections: Command, context: ContextFactory): void {
  addSelectFlags(
    connections.command("list").alias("ls").description("List connections with their status (never their credentials)"),
  ).action(async (flags: SelectFlags, cmd: Command) => {
    const ctx = context(cmd);
    const filter = toSelection(flags);
    await printConnections(ctx, await listConnections(await ctx.services(), filter));
  });
  connections
    .command("show <id>")
    .description("Show one connection: provider, status, which credential (never its value)")
    .action(async (id: string, _flags, cmd: Command) => {
      const ctx = context(cmd);
      await printConnection(ctx, await showConnection(await ctx.services(), id));
    });
}
