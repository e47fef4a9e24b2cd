import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { CheckFailedError, UsageError } from "../../errors.js";
import { parseDurationFlag } from "../../cli/parse.js";
import { guardUrl, privateNetworksAllowed } from "../../lib/url-guard.js";
import { DEFAULT_TIMEOUT_MS } from "../../services/webhooks/endpoint-rows.js";
import { readExport, replayOffline } from "../../services/webhooks/replay/offline.js";
import type { WebhookOfflineReplayResult } from "../../types/integration/webhook.types.js";
import { readSecretFile } from "./verify-input.js";

// `webhooks replay --from <file> --to <url>`: the offline replay. It never calls ctx.services(),
// so no database is opened, resolved or migrated: it works where none exists.

interface FromFlags {
  from?: string;
  to?: string;
  secretFile?: string;
  allowPrivateNetwork?: boolean;
  withEndpointHeaders?: boolean;
  timeout?: string;
  event?: string;
  endpoint?: string;
  since?: string;
  until?: string;
  type?: string;
  includeDelivered?: boolean;
  dryRun?: boolean;
  planHash?: string;
}

// Options of the database replay that have a default: given on the command line, they clash too.
const DB_DEFAULTED = ["status", "routing", "concurrency", "lease"] as const;

export async function replayFromFile(
  ctx: CommandContext,
  deliveryId: string | undefined,
  flags: FromFlags,
  cmd: Command,
): Promise<void> {
  const clashing = [
    deliveryId !== undefined && "a delivery id",
    ...(["event", "endpoint", "since", "until", "type", "includeDelivered", "dryRun", "planHash"] as const)
      .filter((k) => flags[k] !== undefined)
      .map((k) => `--${kebab(k)}`),
    ...DB_DEFAULTED.filter((k) => cmd.getOptionValueSource(k) === "cli").map((k) => `--${k}`),
  ].filter(Boolean);
  if (clashing.length)
    throw new UsageError(
      `--from/--to re-send an export file without the database; they cannot be combined with ${clashing.join(", ")}.`,
      "Export first (intg webhooks export --status failed --since 24h --out f.ndjson), then: intg webhooks replay --from f.ndjson --to <url>",
    );
  if (flags.from === undefined || flags.to === undefined)
    throw new UsageError(
      "--from and --to go together: the export file and the URL to send it to.",
      "For example: intg webhooks replay --from failed.ndjson --to http://localhost:8080/hooks --allow-private-network",
    );
  const timeoutMs = flags.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDurationFlag("--timeout", flags.timeout);
  if (timeoutMs < 1 || timeoutMs > 300_000) throw new UsageError("--timeout must be from 1ms to 5m.");
  const secrets = flags.secretFile === undefined ? null : readSecretFile(flags.secretFile);
  const records = readExport(flags.from);
  const allowPrivate = privateNetworksAllowed(ctx.deps.env, Boolean(flags.allowPrivateNetwork));
  // Checked up front (exit 2, nothing sent); the client checks again at connect time.
  const to = await guardUrl(flags.to, { allowPrivate });
  const { sent, failed } = await replayOffline({
    records,
    to,
    secrets,
    allowPrivate,
    withEndpointHeaders: Boolean(flags.withEndpointHeaders),
    timeoutMs,
    now: () => ctx.now(),
    onResult: (r) => (ctx.out.json ? ctx.out.printNdjson(r) : ctx.out.print(line(r))),
  });
  ctx.out.info(`Sent ${sent} to ${to.href}: ${sent - failed} succeeded, ${failed} failed.`);
  if (failed > 0) throw new CheckFailedError(`${failed} of ${sent} requests to ${to.href} failed.`, "REPLAY_FAILED");
}

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function line(r: WebhookOfflineReplayResult): string {
  return `${r.deliveryId}  ${r.webhookId}  ${r.succeeded ? "ok" : "FAILED"}  ${r.statusCode ?? r.error}  ${r.durationMs}ms  (${r.signed === "resigned" ? "re-signed" : "exported headers"})`;
}
