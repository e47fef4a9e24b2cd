import { headBytes, printable } from "../../../lib/printable.js";
import type { WebhookDeliveryAttemptInfo } from "../../../types/integration/webhook.types.js";

/** How much of a response body the human view shows; --json has what was stored (20 KB). */
export const BODY_PREVIEW_BYTES = 2048;

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((line) => by + line)
    .join("\n");

function headerLines(headers: Record<string, string> | null): string {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0) return "    (none)";
  return entries.map(([name, value]) => `    ${printable(name)}: ${printable(value)}`).join("\n");
}

/**
 * Each attempt as the debugging view shows it, like a request inspector: what was sent (headers),
 * what came back (status, headers, the start of the body) and why it failed. Text a receiver
 * chose is printed with its control characters escaped.
 */
export function attemptsText(attempts: readonly WebhookDeliveryAttemptInfo[]): string {
  return attempts
    .map((a) => {
      const status = a.statusCode === null ? "no response" : `HTTP ${a.statusCode}`;
      const lines = [`Attempt ${a.attemptNumber} (${a.trigger}) at ${a.startedAt}: ${status} in ${a.durationMs}ms`];
      if (a.error) lines.push(`  error: ${printable(a.error)}`);
      lines.push("  request headers:", headerLines(a.requestHeaders));
      if (a.statusCode !== null) {
        lines.push("  response headers:", headerLines(a.responseHeaders));
        const body = a.responseBody ?? "";
        const { head, bytes, cut } = headBytes(body, BODY_PREVIEW_BYTES);
        const size = cut ? `first ${BODY_PREVIEW_BYTES} of ${bytes} bytes stored; all with --json` : `${bytes} bytes`;
        lines.push(`  response body (${size}):`);
        if (body) lines.push(indent(printable(head), "    "));
      }
      return lines.join("\n");
    })
    .join("\n\n");
}
