import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_KEY_REVOKE_FIELDS } from "../../types/integration/api.fields.js";
import { confirmOrCancel } from "../../cli/confirm.js";
import type { ContextFactory } from "../../cli/program.js";
import { UsageError } from "../../errors.js";
import { revokeKey, revokeKeys } from "../../services/keys/revoke.js";
import { showKey } from "../../services/keys/show.js";
import type { ApiBatchRequest } from "../../types/integration/api.types.js";
import { addFilterFlags, toFilter, type FilterFlags } from "./filter-flags.js";
import { printKey, printKeys } from "./render.js";
import { examples } from "../examples.js";

interface RevokeFlags extends FilterFlags {
  reason?: string;
  where?: boolean;
  dryRun: boolean;
}

export function registerRevoke(keys: Command, context: ContextFactory): void {
  addFilterFlags(
    jsonFields(keys.command("revoke [id]"), API_KEY_REVOKE_FIELDS)
      .description("Revoke a key at once, or every key matching --where filters")
      .option("--reason <text>", "why, kept with the key and in the audit log")
      .option("--where", "revoke every key matching the filter flags below (bulk)")
      .option("-n, --dry-run", "show what would be revoked, change nothing", false)
      .addHelpText(
        "after",
        examples([
          [
            "Revoke one key, with a reason for the audit log",
            "intg keys revoke key_01JD8Q3ZK7 --reason 'leaked in a CI log'",
          ],
          [
            "See which active keys unused for 90 days would be revoked",
            "intg keys revoke --where --status active --unused-for 90d --dry-run",
          ],
          [
            "Revoke them from a script, without the prompt",
            "intg keys revoke --where --status active --unused-for 90d --yes",
          ],
        ]),
      ),
  ).action(async (id: string | undefined, flags: RevokeFlags, cmd: Command) => {
    const ctx = context(cmd);
    if (flags.where) {
      if (id) throw new UsageError("Give a key id or --where, not both.");
      const request: ApiBatchRequest = {
        operation: "revoke",
        where: toFilter(flags, ctx.now()),
        reason: flags.reason ?? null,
        dryRun: flags.dryRun,
      };
      if (Object.keys(request.where).length === 0)
        throw new UsageError(
          "--where needs at least one filter (e.g. --status active --unused-for 90d).",
          "Revoking every key is not something to do by accident.",
        );
      const services = await ctx.services();
      if (!request.dryRun) {
        const plan = await revokeKeys(services, { ...request, dryRun: true });
        if (plan.matched === 0) return printKeys(ctx, [], "No keys match.");
        await confirmOrCancel(ctx, `Revoke ${plan.matched} key(s)?`, "nothing was revoked");
      }
      const result = await revokeKeys(services, request);
      if (ctx.out.json) return ctx.out.printJson(result);
      await printKeys(ctx, result.keys, "No keys match.");
      ctx.out.info(request.dryRun ? `${result.matched} key(s) would be revoked.` : `Revoked ${result.changed} key(s).`);
      return;
    }
    if (!id) throw new UsageError("Which key? Give its id, or --where with filters.");
    const services = await ctx.services();
    if (flags.dryRun) return printKey(ctx, await showKey(services, { id }));
    const key = await showKey(services, { id }); // not found before asking
    await confirmOrCancel(
      ctx,
      `Revoke ${key.id} (${key.name})? Callers using it will be refused at once.`,
      "nothing was revoked",
    );
    const revoked = await revokeKey(services, { id, reason: flags.reason ?? null });
    if (ctx.out.json) return ctx.out.printJson(revoked);
    ctx.out.success(`Revoked ${revoked.id}.`);
  });
}
