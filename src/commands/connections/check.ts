import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { HEALTH_CHECK_FIELDS } from "../../types/integration/integration.fields.js";
import { CheckFailedError, CredentialError, UsageError } from "../../errors.js";
import { durationOption } from "../../cli/flags.js";
import { parseDurationFlag, parseIntFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { progressBar } from "../../cli/progress.js";
import { printHealthChecks } from "./render.js";
import { addSelectFlags, type SelectFlags, toSelection } from "./select-flags.js";
import type { SkippedConnection } from "../../services/connections/check.js";
import { examples } from "../examples.js";

interface CheckFlags extends SelectFlags {
  all: boolean;
  timeout: string;
  concurrency: string;
}

export function registerCheck(connections: Command, context: ContextFactory): void {
  addSelectFlags(
    jsonFields(connections.command("check [ids...]"), HEALTH_CHECK_FIELDS)
      .description(
        "Run each connection's health request now (the CI gate): exit 0 all healthy, 3 any not, 4 a credential refused",
      )
      .option("--all", "every connection (disabled ones are skipped; named ids that are disabled exit 3)", false)
      .addOption(durationOption("--timeout <duration>", "how long each provider has to answer", "5s"))
      .option("--concurrency <n>", "how many checks run at once", "64"),
  )
    .addHelpText(
      "after",
      examples([
        ["In CI: check every connection; the exit code decides the build", "intg connections check --all --json"],
        [
          "Production connections to two providers, with a shorter timeout",
          "intg connections check --environment production --provider stripe,github --timeout 2s",
        ],
        ["One connection", "intg connections check conn_01JD8T6B9C"],
      ]),
    )
    .action(async (ids: string[], flags: CheckFlags, cmd: Command) => {
      const ctx = context(cmd);
      const selection = toSelection(flags);
      const selects =
        ids.length > 0 || flags.all || selection.environments || selection.providers || selection.statuses;
      if (!selects)
        throw new UsageError("Say which connections to check: ids, --all, --environment, --provider or --status.");
      const timeoutMs = parseDurationFlag("--timeout", flags.timeout);
      const concurrency = parseIntFlag("--concurrency", flags.concurrency, 1, 1024);
      if (timeoutMs <= 0) throw new UsageError("--timeout must be more than 0.");
      const services = await ctx.services();
      const bar = await progressBar(ctx, "Checking {bar} {value}/{total} connections");
      // undici loads only for the commands that send requests (start-up time).
      const { checkConnections } = await import("../../services/connections/check.js");
      const run = await checkConnections(services, {
        filter: { ...selection, ids: ids.length ? ids : undefined },
        timeoutMs,
        concurrency,
        onProgress: bar?.update,
        signal: ctx.deps.signal,
      }).finally(() => bar?.stop());
      const why = (k: SkippedConnection) =>
        k.reason === "connection_disabled" ? "disabled" : "its provider is disabled";
      const skipped = run.skipped.map((k) => `${k.id} (${why(k)})`);
      if (skipped.length) ctx.out.info(`Skipped ${skipped.length} connection(s): ${skipped.join(", ")}.`);
      await printHealthChecks(ctx, run.checks, run.labels);
      const auth = run.checks.filter((c) => c.errorKind === "auth");
      const failed = run.checks.filter((c) => c.status !== "HEALTHY");
      if (auth.length)
        throw new CredentialError(
          `${auth.length} of ${run.checks.length} connection(s) refused their credential: ${auth.map((c) => c.connectionId).join(", ")}.`,
          "Replace it with: intg connections set-credentials <id>",
          "CHECK_CREDENTIALS",
        );
      if (failed.length)
        throw new CheckFailedError(
          `${failed.length} of ${run.checks.length} connection(s) are not healthy: ${failed.map((c) => c.connectionId).join(", ")}.`,
        );
      // A gate that names a connection must not pass without checking it; --all and the selection
      // flags skip disabled ones on purpose, as before.
      if (ids.length && skipped.length) {
        const names = `${skipped.length} named connection(s) were not checked: ${skipped.join(", ")}`;
        const fix = "Enable them (or their provider), or leave them out of the ids.";
        throw new CheckFailedError(`${names}. ${fix}`, "CHECK_SKIPPED");
      }
      if (run.checks.length) ctx.out.success(`All ${run.checks.length} connection(s) are healthy.`);
      else ctx.out.info("No connections matched.");
    });
}
