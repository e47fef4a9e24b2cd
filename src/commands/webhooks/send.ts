import { readFileSync } from "node:fs";
import { jsonFields } from "../../cli/json-fields.js";
import { EVENT_FIELDS } from "../../types/integration/webhook.fields.js";
import type { Command } from "commander";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { sendBatch, sendEvent, type SendResult } from "../../services/webhooks/send.js";
import type { JsonValue } from "../../types/common.js";
import type { WebhookBatchDeliveryRequest } from "../../types/integration/webhook.types.js";
import { checkDepth, decodeUtf8 } from "../../lib/json-input.js";
import { topLevelMembers } from "../../lib/json-members.js";
import { printEvents } from "./render.js";
import { examples } from "../examples.js";

interface SendFlags {
  data?: string;
  dataFile?: string;
  batchFile?: string;
  idempotencyKey?: string;
  allowUnknownType?: boolean;
}

// Event data is small (Standard Webhooks advises under ~20 KB); a far larger input is a wrong file.
const MAX_BYTES = 8 * 1024 * 1024;

export function registerSend(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("send [type] [source]"), EVENT_FIELDS)
    .description("Record an event and queue a delivery to every enabled endpoint whose filter matches")
    .option("--data <json>", "the event's data, as JSON")
    .option("--data-file <file>", "read the data from a file ('-' as source reads stdin)")
    .option("--batch-file <ndjson>", 'many events in one transaction, one {"type","data","idempotencyKey"?} per line')
    .option("--idempotency-key <key>", "the same key twice records one event; reused with other data or type: exit 6")
    .option("--allow-unknown-type", "send a type that is not in the catalog")
    .addHelpText(
      "after",
      '\nThe body is the Standard Webhooks envelope {"type","timestamp","data"}, serialised once: those bytes are signed and sent on every attempt.',
    )
    .addHelpText(
      "after",
      examples([
        [
          "Send an event to every endpoint whose filter matches",
          'intg webhooks send invoice.paid --data \'{"id":"in_123","amount":4200}\'',
        ],
        [
          "Read the data from stdin; a retry with the same key records one event",
          "intg webhooks send invoice.paid - --idempotency-key in_123-paid < invoice.json",
        ],
        ["Send many events in one transaction", "intg webhooks send --batch-file ./events.ndjson"],
      ]),
    )
    .action(async (type: string | undefined, source: string | undefined, flags: SendFlags, cmd: Command) => {
      const ctx = context(cmd);
      const allowUnknownType = Boolean(flags.allowUnknownType);
      let result: SendResult;
      if (flags.batchFile !== undefined) {
        if (
          type ||
          source ||
          flags.data !== undefined ||
          flags.dataFile !== undefined ||
          flags.idempotencyKey !== undefined
        ) {
          throw new UsageError("--batch-file takes the types, data and keys from the file; give nothing else.");
        }
        result = await sendBatch(await ctx.services(), parseBatch(readText(flags.batchFile), allowUnknownType));
      } else {
        if (!type) throw new UsageError("Which event type? intg webhooks send <type> --data '<json>'.");
        const given = [flags.data !== undefined, flags.dataFile !== undefined, source === "-"].filter(Boolean).length;
        if (source !== undefined && source !== "-")
          throw new UsageError(
            `Unexpected argument "${source}": give the data with --data, --data-file, or '-' for stdin.`,
          );
        if (given !== 1)
          throw new UsageError("Give the data once: --data '<json>', --data-file <file>, or '-' to read stdin.");
        const text = flags.data ?? (flags.dataFile !== undefined ? readText(flags.dataFile) : await readStdin(ctx));
        const data = parseJson(text, flags.data !== undefined ? "--data" : (flags.dataFile ?? "stdin"));
        // The bytes given are the bytes stored and sent: 9007199254740993 stays itself, -0.0 too.
        result = await sendEvent(await ctx.services(), {
          type,
          data,
          rawData: text.trim(),
          idempotencyKey: flags.idempotencyKey ?? null,
          allowUnknownType,
        });
      }
      const events = result.events.map((e) => e.event);
      for (const type of result.deprecatedTypes)
        ctx.out.warn(`the event type ${type} is deprecated: it still sends, but receivers may stop expecting it.`);
      if (ctx.out.json) return ctx.out.printJson(flags.batchFile !== undefined ? events : events[0]);
      await printEvents(ctx, events);
      const repeats = result.events.filter((e) => !e.created).length;
      if (repeats)
        ctx.out.info(
          `${repeats} event(s) had been sent before with the same idempotency key; nothing new was queued for them.`,
        );
      ctx.out.success(
        `Recorded ${result.events.length - repeats} event(s); queued ${result.deliveriesQueued} deliver${result.deliveriesQueued === 1 ? "y" : "ies"}.`,
      );
    });
}

function parseJson(text: string, where: string): JsonValue {
  checkDepth(text, where);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(
      `${where} is not valid JSON: ${(error as Error).message}; nothing was sent.`,
      undefined,
      "INVALID_JSON",
    );
  }
}

/** Every line checked before anything is sent; the first bad one is named by its number. */
export function parseBatch(text: string, allowUnknownType: boolean): WebhookBatchDeliveryRequest {
  const events: WebhookBatchDeliveryRequest["events"] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const n = i + 1;
    const bad = (why: string) =>
      new UsageError(
        `--batch-file line ${n}: ${why}; nothing was sent.`,
        'Each line is {"type": "...", "data": ..., "idempotencyKey"?: "..."}.',
        "INVALID_BATCH_LINE",
      );
    let value: unknown;
    checkDepth(line, `--batch-file line ${n}`);
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw bad(`not valid JSON (${(error as Error).message})`);
    }
    const o = value as { type?: unknown; data?: unknown; idempotencyKey?: unknown };
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not a JSON object");
    if (typeof o.type !== "string") throw bad('"type" is missing or not a string');
    if (!("data" in o)) throw bad('"data" is missing');
    if (o.idempotencyKey !== undefined && o.idempotencyKey !== null && typeof o.idempotencyKey !== "string")
      throw bad('"idempotencyKey" is not a string');
    // The data's own text goes into the envelope, as for a single send: never parsed and serialised again.
    const members = topLevelMembers(line);
    for (const key of ["type", "data", "idempotencyKey"]) {
      // JSON.parse keeps the last of a repeated key silently; which one the sender meant is anyone's guess.
      if (members.filter((m) => m.key === key).length > 1) throw bad(`"${key}" is given more than once`);
    }
    const span = members.find((m) => m.key === "data")!;
    const rawData = line.slice(span.start, span.end);
    const idempotencyKey = (o.idempotencyKey as string | null | undefined) ?? null;
    events.push({ line: n, type: o.type, data: o.data as JsonValue, rawData, idempotencyKey });
  }
  if (events.length === 0) throw new UsageError("--batch-file holds no events; nothing was sent.");
  return { events, allowUnknownType };
}

function readText(file: string): string {
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_BYTES)
      throw new UsageError(`${file} is larger than ${MAX_BYTES / 1024 / 1024} MiB; nothing was sent.`);
    return decodeUtf8(bytes, file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; nothing was sent.`,
    );
  }
}

async function readStdin(ctx: CommandContext): Promise<string> {
  if (ctx.deps.io.stdinIsTTY)
    throw new UsageError(
      "'-' reads the data from stdin, but stdin is a terminal.",
      "Pipe the JSON in, or use --data / --data-file.",
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.deps.io.stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    if ((size += buf.length) > MAX_BYTES)
      throw new UsageError(`stdin holds more than ${MAX_BYTES / 1024 / 1024} MiB; nothing was sent.`);
    chunks.push(buf);
  }
  return decodeUtf8(Buffer.concat(chunks), "stdin");
}
