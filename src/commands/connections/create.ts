import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import { addRenamedOption, enumOption, rateLimitOption } from "../../cli/flags.js";
import { collect, parseEnum, parseKeyValues } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { validateConnectionName } from "../../services/connections/rows.js";
import { showProvider } from "../../services/providers/rows.js";
import { IntegrationEnvironment } from "../../types/enums.js";
import { addCredentialFlags, readCredential, type CredentialFlags } from "./credential-flags.js";
import { parseRatePerMinute } from "./flags.js";
import { warnKeyFile } from "./key-file.js";
import { printConnection } from "./render.js";
import { examples } from "../examples.js";

interface CreateFlags extends CredentialFlags {
  provider: string;
  environment: string;
  name: string;
  config?: string[];
  rateLimit?: string;
}

export function registerCreate(connections: Command, context: ContextFactory): void {
  const command = jsonFields(connections.command("create"), CONNECTION_FIELDS)
    .description("Connect to a provider: its credential is stored encrypted and never printed")
    .requiredOption("--provider <slug>", "the provider (slug or id)");
  const environment = enumOption("--environment <environment>", "where it is used", IntegrationEnvironment);
  addCredentialFlags(
    addRenamedOption(command, environment.makeOptionMandatory(), "--env <environment>")
      .requiredOption("--name <name>", "unique per provider and environment")
      .option(
        "--config <key=value>",
        "a setting of the connection (repeatable); baseUrl=… overrides the provider's",
        collect,
        [],
      )
      .addOption(rateLimitOption("requests through this connection (default: the provider's)", { unit: "minute" })),
  )
    .addHelpText(
      "after",
      examples([
        [
          "Connect to Stripe in production with a key read from stdin",
          "intg connections create --provider stripe --environment production --name main < stripe-key.txt",
        ],
        [
          "Connect to Jira in staging, overriding its base URL and rate limit",
          "intg connections create --provider jira --environment staging --name ops " +
            "--config baseUrl=https://acme.atlassian.net --rate-limit 100 --from-file ./jira-basic.txt",
        ],
        [
          "Take the credential from an environment variable",
          "intg connections create --provider github --environment production --name ci --from-env GITHUB_TOKEN",
        ],
      ]),
    )
    .action(async (flags: CreateFlags, cmd: Command) => {
      const ctx = context(cmd);
      // Flags first: a bad one writes nothing and reads no credential.
      const environment = parseEnum("--environment", flags.environment, IntegrationEnvironment);
      validateConnectionName(flags.name);
      const config = parseKeyValues("--config", flags.config ?? []);
      const rateLimitPerMinute = flags.rateLimit === undefined ? null : parseRatePerMinute(flags.rateLimit);
      const services = await ctx.services();
      const provider = await showProvider(services, flags.provider);
      if (provider.status === "DEPRECATED") ctx.out.warn(`the provider ${provider.slug} is deprecated.`);
      const credential = await readCredential(ctx, provider.connector.auth.type, flags);
      const { createConnection } = await import("../../services/connections/write.js");
      const written = await createConnection(services, {
        provider: provider.id,
        environment,
        name: flags.name,
        config: Object.keys(config).length ? config : null,
        rateLimitPerMinute,
        credential,
      });
      warnKeyFile(ctx, written);
      if (ctx.out.quiet && !ctx.out.json) ctx.out.print(written.connection.id);
      else await printConnection(ctx, written.connection);
      ctx.out.success(
        `Created connection ${written.connection.id} (${provider.slug}, ${environment.toLowerCase()}). Check it with: intg connections check ${written.connection.id}`,
      );
    });
}
