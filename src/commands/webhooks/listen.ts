import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { LISTEN_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import type { WebhookListenEvent } from "../../types/integration/webhook.types.js";
import { durationOption } from "../../cli/flags.js";
import { parseTolerance, readSecretFile } from "./verify-input.js";
import { examples } from "../examples.js";

interface ListenFlags {
  port: string;
  forwardTo?: string;
  secretFile?: string;
  tolerance: string;
}

export function registerListen(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("listen"), LISTEN_FIELDS)
    .description("Receive webhooks locally on 127.0.0.1: verify, print each event, forward the exact bytes to your app")
    .option("--port <port>", "the port to listen on; 0 picks a free one", "3000")
    .option("--forward-to <url>", "forward each (valid) request, byte for byte with its webhook headers, to this URL")
    .option(
      "--secret-file <file>",
      "verify with these secrets (one a line, the current one first); invalid requests get 401",
    )
    .addOption(durationOption("--tolerance <duration>", "how far the signed timestamp may be from now", "5m"))
    .addHelpText(
      "after",
      '\nRuns until Ctrl-C (SIGINT) or SIGTERM, then exits 0. The URL goes to stderr; --json prints {"listening": "<url>"}\nand then one line per event: id, type, timestamp, valid, cause, status, forward.',
    )
    .addHelpText(
      "after",
      examples([
        ["Receive webhooks on port 3000 and print each event", "intg webhooks listen"],
        [
          "Verify signatures and forward valid requests to your app",
          "intg webhooks listen --port 4000 --secret-file ./whsec.txt --forward-to http://127.0.0.1:8080/webhooks",
        ],
      ]),
    )
    .action(async (flags: ListenFlags, cmd: Command) => {
      const ctx = context(cmd);
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535)
        throw new UsageError(`--port: "${flags.port}" is not a port number (0 to 65535).`);
      const toleranceMs = parseTolerance(flags.tolerance);
      const forwardTo = flags.forwardTo === undefined ? null : parseForwardUrl(flags.forwardTo);
      const secrets = flags.secretFile === undefined ? null : readSecretFile(flags.secretFile);
      // The HTTP server and client load only for this command, not for every `webhooks` verb.
      const { listen } = await import("../../services/webhooks/listener.js");
      const summary = await listen({
        port,
        secrets,
        toleranceMs,
        forwardTo,
        now: () => ctx.now(),
        signal: ctx.deps.signal,
        onListening: (url) => {
          if (ctx.out.json) ctx.out.printNdjson({ listening: url });
          const checks = secrets ? `verifying with ${secrets.length} secret(s)` : "not verifying (no --secret-file)";
          ctx.out.info(
            `Listening on ${url}, ${checks}${forwardTo ? `, forwarding to ${forwardTo.href}` : ""}. Ctrl-C to stop.`,
          );
        },
        onEvent: (event) => (ctx.out.json ? ctx.out.printNdjson(event) : ctx.out.print(eventLine(ctx, event))),
      });
      // Ctrl-C is how a listener is meant to stop: it is not a failure.
      ctx.deps.interruptExpected?.();
      ctx.out.info(`Stopped after ${summary.events} event(s).`);
    });
}

function parseForwardUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--forward-to: "${text}" is not a URL.`, "Write it like http://localhost:8080/webhooks.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--forward-to: "${text}" is not an http(s) URL.`);
  if (url.username || url.password) throw new UsageError("--forward-to must not carry credentials in the URL.");
  return url;
}

function eventLine(ctx: CommandContext, e: WebhookListenEvent): string {
  const c = ctx.out.color;
  const verdict = e.valid === null ? c.dim("unverified") : e.valid ? c.green("valid") : c.red(`invalid (${e.cause})`);
  const forward = !e.forward
    ? ""
    : e.forward.status !== null
      ? `, app answered ${e.forward.status} in ${e.forward.durationMs}ms`
      : `, forward failed: ${e.forward.error}`;
  return `${e.receivedAt}  ${e.method} ${e.path}  ${e.id ?? "-"}  ${e.type ?? "-"}  ${verdict} -> ${e.status}${forward}`;
}
