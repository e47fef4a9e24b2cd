import type { JsonValue } from "../types/common.js";
import type { WebhookEventTransformation } from "../types/integration/webhook.types.js";
import { PoolError, transformPool, type TransformPool } from "./transform-pool.js";

// Per-endpoint payload transformations, applied to the recorded envelope before signing: the
// receiver gets (and the signature covers) the transformed bytes. A JSONata expression reshapes
// the envelope for HTTP endpoints; the chat channels' built-in transformer turns it into the
// message a Slack or Discord incoming webhook accepts.

export type Transformer = (envelope: string) => Promise<string>;

/** Discord refuses a message over 2,000 characters; Slack truncates text over 40,000. */
const LIMIT = { SLACK: 40_000, DISCORD: 2_000 } as const;

export class TransformError extends Error {}

export async function compileTransformation(t: WebhookEventTransformation, pool?: TransformPool): Promise<Transformer> {
  if (t.kind === "chat_message") return async (envelope) => JSON.stringify(chatMessage(t.format, envelope));
  await compileJsonata(t.expression); // parse errors here, before any thread starts
  // Evaluated on the pool's thread, with its budget: see transform-pool.ts.
  return async (envelope) => {
    let result: string | null;
    try {
      result = await (pool ?? transformPool()).evaluate(t.expression, envelope);
    } catch (error) {
      const e = error as Error;
      const overBudget = e instanceof PoolError && e.limit;
      throw new TransformError(overBudget ? e.message : `the JSONata transformation failed: ${e.message}`);
    }
    if (result === null) throw new TransformError("the JSONata transformation produced nothing for this event");
    return result;
  };
}

/** Compiles an expression, or says where it does not parse. */
export async function compileJsonata(expression: string): Promise<{ evaluate(input: unknown): Promise<unknown> }> {
  const { default: jsonata } = await import("jsonata");
  try {
    return jsonata(expression);
  } catch (error) {
    const e = error as { message?: string; position?: number };
    throw new TransformError(
      `the JSONata expression does not parse${e.position !== undefined ? ` at character ${e.position}` : ""}: ${e.message}`,
    );
  }
}

/** The event as a chat message: its type, id-bearing fields and data, in a code block. */
export function chatMessage(format: "SLACK" | "DISCORD", envelope: string): Record<string, JsonValue> {
  const event = JSON.parse(envelope) as { type?: string; timestamp?: string; data?: JsonValue };
  const head = `${format === "SLACK" ? "*" : "**"}${event.type ?? "event"}${format === "SLACK" ? "*" : "**"} at ${event.timestamp ?? "?"}`;
  const fence = "```";
  let data = JSON.stringify(event.data ?? null, null, 2);
  const room = LIMIT[format] - head.length - 2 * fence.length - 4;
  if (data.length > room) data = `${data.slice(0, room - 1)}…`;
  const text = `${head}\n${fence}\n${data}\n${fence}`;
  return format === "SLACK" ? { text } : { content: text };
}
