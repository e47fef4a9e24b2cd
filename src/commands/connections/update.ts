import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { collect, parseKeyValues } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { showConnection } from "../../services/connections/rows.js";
import { showProvider } from "../../services/providers/rows.js";
import { parseRatePerMinute, warnKeyFile } from "./create.js";
import { addCredentialFlags, readCredential, type CredentialFlags } from "./credential-flags.js";
import { printConnection } from "./render.js";

interface UpdateFlags {
  name?: string;
  config: string[];
  unset: string[];
  rateLimit?: string;
}

export function registerUpdate(connections: Command, context: ContextFactory): void {
  connections
    .command("update <id>")
    .description("Rename a connection, change its settings or its rate limit")
    .option("--name <name>", "a new name")
    .option("--config <key=value>", "set a setting (repeatable)", collect, [])
    .option("--unset <key>", "remove a setting (repeatable)", collect, [])
    .option("--rate-limit <rate>", "requests per minute; 'default' uses the provider's")
    .action(async (id: string, flags: UpdateFlags, cmd: Command) => {
      const ctx = context(cmd);
      const config: Record<string, string | null> = parseKeyValues("--config", flags.config);
      for (const key of flags.unset) config[key] = null;
      const rateLimitPerMinute =
        flags.rateLimit === undefined
          ? undefined
          : flags.rateLimit === "default"
            ? null
            : parseRatePerMinute(flags.rateLimit);
      if (flags.name === undefined && Object.keys(config).length === 0 && rateLimitPerMinute === undefined)
        throw new UsageError("Nothing to update.", "Give --name, --config, --unset or --rate-limit.");
      const { updateConnection } = await import("../../services/connections/write.js");
      const updated = await updateConnection(await ctx.services(), id, {
        name: flags.name,
        config,
        rateLimitPerMinute,
      });
      await printConnection(ctx, updated);
      ctx.out.success(`Updated connection ${id}.`);
    });
  addCredentialFlags(
    connections
      .command("set-credentials <id>")
      .description("Replace a connection's credential (stored encrypted; its status returns to pending)"),
  ).action(async (id: string, flags: CredentialFlags, cmd: Command) => {
    const ctx = context(cmd);
    const services = await ctx.services();
    const current = await showConnection(services, id);
    const provider = await showProvider(services, current.provider.id);
    const credential = await readCredential(ctx, provider.connector.auth.type, flags);
    const { setConnectionCredentials } = await import("../../services/connections/write.js");
    const written = await setConnectionCredentials(services, id, credential);
    warnKeyFile(ctx, written);
    await printConnection(ctx, written.connection);
    ctx.out.success(`Replaced the credential of ${id}. Check it with: intg connections check ${id}`);
  });
}
