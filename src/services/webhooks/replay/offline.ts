import { readFileSync } from "node:fs";
import { z } from "zod";
import { UsageError } from "../../../errors.js";
import { WEBHOOK_REQUEST_HEADERS } from "../../../lib/webhook-signature-headers.js";
import { signatureHeaders } from "../../../lib/webhook-signing.js";
import type { WebhookExportRecord, WebhookOfflineReplayResult } from "../../../types/integration/webhook.types.js";
import { HttpClient } from "../worker/http.js";
import { isSuccess } from "../worker/schedule.js";

// `webhooks replay --from <file> --to <url>`: re-sends exported deliveries to any URL with no
// database at all (offline debugging, fixtures). Nothing here may import the database layer.
// The body goes out byte for byte and webhook-id is kept; with secrets the request is re-signed
// at the current time (a receiver's 5-minute tolerance would refuse old timestamps), otherwise the
// exported headers go as they are. Only the webhook's own headers are sent (signature, id,
// timestamp, content-type, user-agent): the endpoint's extra headers were meant for that endpoint
// and may be its credentials, so they reach another URL only with `withEndpointHeaders`.

const RecordSchema = z.object({
  deliveryId: z.string().min(1),
  webhookId: z.string().min(1),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

// Set by the connection itself; an exported value would be wrong for the new request.
const HOP_BY_HOP = new Set(["host", "content-length", "connection", "transfer-encoding", "keep-alive"]);
const sendable = (name: string, withEndpointHeaders: boolean) =>
  !HOP_BY_HOP.has(name) && (withEndpointHeaders || WEBHOOK_REQUEST_HEADERS.test(name));

/** Every record of an export file, all checked before anything is sent (a bad line is exit 2). */
export function readExport(file: string): Pick<WebhookExportRecord, "deliveryId" | "webhookId" | "headers" | "body">[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `--from: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
    );
  }
  const records = text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new UsageError(
        `--from: line ${i + 1} of ${file} is not JSON.`,
        "Give a file written by: intg webhooks export --out <file>",
      );
    }
    const r = RecordSchema.safeParse(parsed);
    if (!r.success)
      throw new UsageError(
        `--from: line ${i + 1} of ${file} is not an exported delivery (${r.error.issues.map((x) => `${x.path.join(".") || "line"}: ${x.message}`).join("; ")}).`,
        "Give a file written by: intg webhooks export --out <file>",
      );
    return [r.data];
  });
  if (records.length === 0) throw new UsageError(`--from: ${file} holds no delivery.`);
  return records;
}

export interface OfflineReplayInput {
  records: ReturnType<typeof readExport>;
  to: URL;
  /** Re-sign with these (the current one first); null sends the exported headers. */
  secrets: string[] | null;
  allowPrivate: boolean;
  /** Also send the endpoint's own exported headers (e.g. its Authorization) to `to`. */
  withEndpointHeaders: boolean;
  timeoutMs: number;
  now: () => Date;
  onResult: (r: WebhookOfflineReplayResult) => void;
}

/** Sends each record in file order, one at a time (a debugging tool: order beats speed). */
export async function replayOffline(input: OfflineReplayInput): Promise<{ sent: number; failed: number }> {
  const http = new HttpClient();
  let failed = 0;
  try {
    for (const record of input.records) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(record.headers))
        if (sendable(k.toLowerCase(), input.withEndpointHeaders)) headers[k.toLowerCase()] = v;
      headers["webhook-id"] = record.webhookId;
      if (input.secrets)
        Object.assign(
          headers,
          signatureHeaders(input.secrets, record.webhookId, Math.floor(input.now().getTime() / 1000), record.body),
        );
      headers["content-type"] ??= "application/json";
      const r = await http.post(input.to, headers, record.body, input.timeoutMs, input.allowPrivate);
      const succeeded = isSuccess(r.statusCode);
      if (!succeeded) failed++;
      input.onResult({
        deliveryId: record.deliveryId,
        webhookId: record.webhookId,
        url: input.to.href,
        signed: input.secrets ? "resigned" : "exported",
        statusCode: r.statusCode,
        durationMs: r.durationMs,
        error: r.error,
        succeeded,
      });
    }
  } finally {
    await http.close();
  }
  return { sent: input.records.length, failed };
}
