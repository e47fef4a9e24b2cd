import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { REPLAY_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { CheckFailedError, UsageError } from "../../errors.js";
import { durationOption, enumListOption, enumOption, sinceOption, untilOption } from "../../cli/flags.js";
import { parseEnumList, parseIntFlag, parseWhenFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { replay } from "../../services/webhooks/replay/apply.js";
import { validatePattern } from "../../services/webhooks/endpoint-input.js";
import { storeThreadFile, threadStore } from "../../services/webhooks/worker/store-thread.js";
import { DeliveryStatus } from "../../types/enums.js";
import type { WebhookReplayRequest } from "../../types/integration/webhook.types.js";
import { replayFromFile } from "./replay-from.js";
import { attemptLine } from "./attempt-line.js";
import { parseLease } from "./lease-flag.js";
import { examples } from "../examples.js";

interface ReplayFlags {
  event?: string;
  endpoint?: string;
  status?: string;
  since?: string;
  until?: string;
  type?: string;
  includeDelivered?: boolean;
  routing: string;
  dryRun?: boolean;
  planHash?: string;
  concurrency: string;
  lease: string;
  from?: string;
  to?: string;
  secretFile?: string;
  allowPrivateNetwork?: boolean;
  withEndpointHeaders?: boolean;
  timeout?: string;
}

export function registerReplay(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("replay [delivery-id]"), REPLAY_FIELDS)
    .description(
      "Send deliveries again now: one, every delivery of an event, or a filtered window; same webhook-id, current secret",
    )
    .option("--event <id>", "every delivery of this event")
    .option("--endpoint <id>", "filter: deliveries to this endpoint")
    .addOption(
      enumListOption("--status <s,...>", "filter: deliveries in these states", DeliveryStatus).default("failed"),
    )
    .addOption(sinceOption("filter: created since; required with a filter"))
    .addOption(untilOption("filter: created before this (default now)"))
    .option("--type <pattern>", "filter: event types, e.g. 'invoice.*'")
    .option("--include-delivered", "also re-send deliveries that already succeeded")
    .addOption(
      enumOption(
        "--routing <r>",
        "original: the endpoints the event went to; current: those whose filter matches it now",
        ["original", "current"],
      ).default("original"),
    )
    .option("-n, --dry-run", "print the plan (event x endpoint pairs) and its hash; send nothing")
    .option("--plan-hash <hash>", "apply only if the plan still has this hash (from --dry-run)")
    .option("--concurrency <n>", "requests in flight at once", "64")
    .addOption(
      durationOption("--lease <duration>", "how long the replay holds each delivery it has not sent yet", "60s"),
    )
    .option(
      "--from <file.ndjson>",
      "offline: re-send the deliveries of a `webhooks export` file (no database is opened); needs --to",
    )
    .option("--to <url>", "offline: where --from sends them")
    .option(
      "--secret-file <file>",
      "offline: re-sign with these secrets (one a line, current first) at the current time; default: send the exported headers",
    )
    .option("--allow-private-network", "offline: let --to be a loopback or private address")
    .option(
      "--with-endpoint-headers",
      "offline: also send the endpoint's own exported headers (often its credentials) to --to",
    )
    .addOption(durationOption("--timeout <duration>", "offline: how long each request may take (default 15s)"))
    .addHelpText(
      "after",
      "\nExits 3 when any replayed delivery failed again, 6 when --plan-hash no longer matches.\n--from/--to cannot be combined with the database selectors (delivery id, --event, filters, plans).",
    )
    .addHelpText(
      "after",
      examples([
        ["Send one delivery again", "intg webhooks replay dlv_01JD8RA1QZ"],
        [
          "Plan a replay of one endpoint's failures in the last 6 hours, then apply that plan",
          "intg webhooks replay --endpoint ep_01JD8R2N5T --since 6h --dry-run",
        ],
        [
          "Apply the plan only if it has not changed since the dry run",
          "intg webhooks replay --endpoint ep_01JD8R2N5T --since 6h --plan-hash 3f9a1c",
        ],
        [
          "Offline: send an export's deliveries to a local receiver",
          "intg webhooks replay --from deliveries.ndjson --to http://127.0.0.1:3000/webhooks --allow-private-network",
        ],
      ]),
    )
    .action(async (deliveryId: string | undefined, flags: ReplayFlags, cmd: Command) => {
      const ctx = context(cmd);
      ctx.deps.finishOnClosedPipe?.(); // it sends as it prints, as the worker does

      if (flags.from !== undefined || flags.to !== undefined) return replayFromFile(ctx, deliveryId, flags, cmd);
      const offlineOnly = (["secretFile", "allowPrivateNetwork", "withEndpointHeaders", "timeout"] as const).filter(
        (k) => flags[k] !== undefined,
      );
      if (offlineOnly.length)
        throw new UsageError(
          "--secret-file, --allow-private-network, --with-endpoint-headers and --timeout go with --from/--to only.",
          "A database replay signs with the endpoint's current secret and follows its own settings.",
        );
      const request = replayRequest(deliveryId, flags, ctx.now());
      const concurrency = parseIntFlag("--concurrency", flags.concurrency, 1, 1024);
      const leaseMs = parseLease(flags.lease);
      const services = await ctx.services();
      const threadFile = storeThreadFile();
      const openStore = threadFile ? () => threadStore(services.db.target, threadFile, services.env) : undefined;
      const onAttempt =
        ctx.out.json && !request.dryRun
          ? (f: Parameters<typeof attemptLine>[0]) => ctx.out.printNdjson(attemptLine(f))
          : undefined;
      const { plan, summary, lost } = await replay(services, request, {
        concurrency,
        leaseMs,
        signal: ctx.deps.signal,
        onAttempt,
        openStore,
      });
      const skipped = [
        plan.skippedDelivered && `${plan.skippedDelivered} already delivered (--include-delivered sends them too)`,
        plan.skippedDisabled && `${plan.skippedDisabled} to disabled endpoints`,
        plan.skippedInFlight && `${plan.skippedInFlight} being sent by a worker now`,
      ].filter(Boolean);
      if (!summary) {
        if (ctx.out.json) return ctx.out.printJson(plan);
        await ctx.out.table(
          ["EVENT", "ENDPOINT", "DELIVERY"],
          plan.pairs.map((p) => [p.eventId, p.endpointId, p.deliveryId ?? "(new)"]),
        );
        ctx.out.info(
          `plan ${plan.planHash}: ${plan.pairs.length} to send${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}.`,
        );
        ctx.out.info(`Apply exactly this plan with: --plan-hash ${plan.planHash}`);
        return;
      }
      ctx.out.info(
        `Replayed ${summary.attempts}: ${summary.delivered} delivered, ${summary.failed} failed${lost ? `, ${lost} taken by a worker first` : ""}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}.`,
      );
      if (summary.failed > 0)
        throw new CheckFailedError(
          `${summary.failed} of ${summary.attempts} replayed deliveries failed again; see why with: intg webhooks deliveries list --status failed`,
          "REPLAY_FAILED",
        );
    });
}

function replayRequest(deliveryId: string | undefined, flags: ReplayFlags, now: Date): WebhookReplayRequest {
  const filtering =
    [flags.endpoint, flags.since, flags.until, flags.type].some((f) => f !== undefined) || flags.status !== "failed";
  const chosen = [deliveryId !== undefined, flags.event !== undefined, filtering].filter(Boolean).length;
  if (chosen !== 1)
    throw new UsageError(
      "Say what to replay: a delivery id, --event <id>, or a filter (--endpoint/--status/--type with --since).",
      "For example: intg webhooks replay --endpoint ep_123 --status failed --since 24h --dry-run",
    );
  const base = {
    includeDelivered: Boolean(flags.includeDelivered),
    routing: parseRouting(flags.routing),
    dryRun: Boolean(flags.dryRun),
    planHash: flags.planHash ?? null,
  };
  if (base.planHash !== null && !/^[0-9a-f]{32}$/.test(base.planHash))
    throw new UsageError(`--plan-hash: "${base.planHash}" is not a plan hash (32 hex digits, printed by --dry-run).`);
  if (deliveryId !== undefined) return { ...base, selector: { kind: "delivery", deliveryId } };
  if (flags.event !== undefined) return { ...base, selector: { kind: "event", eventId: flags.event } };
  if (flags.since === undefined)
    throw new UsageError(
      "A filtered replay needs an explicit window: add --since (and --until if it should end before now).",
      "For example: --since 24h",
    );
  const since = parseWhenFlag("--since", flags.since, now);
  const until = flags.until === undefined ? now : parseWhenFlag("--until", flags.until, now);
  if (until <= since) throw new UsageError("--until must be after --since.");
  return {
    ...base,
    selector: {
      kind: "filter",
      endpointId: flags.endpoint ?? null,
      status: parseEnumList("--status", flags.status ?? "failed", DeliveryStatus),
      window: { since: since.toISOString(), until: until.toISOString() },
      typePattern: flags.type === undefined ? null : validatePattern(flags.type),
    },
  };
}

function parseRouting(text: string): "original" | "current" {
  if (text === "original" || text === "current") return text;
  throw new UsageError(
    `--routing: unknown value "${text}".`,
    "Use original (the endpoints the event went to) or current (those whose filter matches it now).",
  );
}
