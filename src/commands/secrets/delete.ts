import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SECRET_DELETION_FIELDS } from "../../types/secrets.fields.js";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { CommandContext } from "../../cli/context.js";
import type { ContextFactory } from "../../cli/program.js";
import { deleteSecret } from "../../services/secrets/delete.js";
import type { SecretDeletion } from "../../types/secrets.types.js";
import { secretDetails } from "./render.js";
import { examples } from "../examples.js";

interface DeleteOptions {
  dryRun: boolean;
  force: boolean;
}

export function registerDelete(secrets: Command, context: ContextFactory): void {
  jsonFields(secrets.command("delete"), SECRET_DELETION_FIELDS)
    .description("Delete a secret (asks first; needs --yes when not interactive)")
    .argument("<name-or-id>", "the secret's name or sec_ id")
    .option("-n, --dry-run", "show what would be deleted, change nothing", false)
    .option("--force", "delete it even when connections use it as their credential", false)
    .addHelpText(
      "after",
      examples([
        ["Delete a secret (asks first)", "intg secrets delete stripe-live"],
        ["See what would be deleted", "intg secrets delete stripe-live --dry-run"],
        ["From a script, even though connections use it", "intg secrets delete stripe-live --force --yes"],
      ]),
    )
    .action(async (ref: string, opts: DeleteOptions, cmd: Command) => void (await runDelete(context(cmd), ref, opts)));
}

export async function runDelete(ctx: CommandContext, ref: string, opts: DeleteOptions): Promise<SecretDeletion> {
  const services = await ctx.services();
  // The dry run finds the secret and refuses an in-use one before anyone is asked anything.
  const plan = await deleteSecret(services, ref, { dryRun: true, force: opts.force });
  const label = `secret "${plan.secret.name}" (${plan.secret.id})`;
  if (!opts.dryRun)
    await confirmOrCancel(ctx, `Delete ${label}? Its value cannot be recovered.`, "nothing was deleted");
  const result = opts.dryRun ? plan : await deleteSecret(services, plan.secret.id, { force: opts.force });
  if (ctx.out.json) ctx.out.printJson(result);
  else await ctx.out.details(secretDetails(result.secret));
  if (result.detachedConnectionIds.length > 0) {
    ctx.out.warn(
      `${result.detachedConnectionIds.length} connection(s) ${result.dryRun ? "would be" : "are now"} without a credential: ${result.detachedConnectionIds.join(", ")}`,
    );
  }
  if (result.dryRun) ctx.out.info(`Dry run: ${label} would be deleted.`);
  else ctx.out.success(`Deleted ${label}.`);
  return result;
}
