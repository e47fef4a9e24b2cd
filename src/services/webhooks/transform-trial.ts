import { UsageError } from "../../errors.js";
import { PoolError, transformPool, type TransformPool } from "../../lib/transform-pool.js";
import type { JsonValue } from "../../types/common.js";
import type { WebhookPayload } from "../../types/integration/webhook.types.js";

// `endpoints create|update --transform` runs the expression once on a sample event, on the same
// thread and budget as every delivery and `webhooks transform`. An expression over the budget
// there (a recursion with no end, a catastrophic regular expression) would fail every delivery
// it is handed, so it is refused before anything is written. One that merely fails or yields
// nothing on the sample is kept, with a warning: it may read fields only real events carry.

export interface TransformTrial {
  /** The sample event's timestamp. */
  now: Date;
  /** Told when the expression fails or yields nothing on the sample (it is kept all the same). */
  warn?: (message: string) => void;
  /** The process's pool unless given (tests). */
  pool?: TransformPool;
}

/** A realistic event in the envelope every endpoint is sent: {type, timestamp, data}. */
export function sampleEnvelope(now: Date): string {
  const data: JsonValue = {
    id: "obj_example",
    object: "example",
    status: "succeeded",
    amount: 1250,
    currency: "usd",
    customer: { id: "cus_example", email: "jane@example.com", name: "Jane Example" },
    lines: [{ sku: "sku_example", quantity: 2, amount: 625 }],
    metadata: {},
    createdAt: now.toISOString(),
  };
  const payload: WebhookPayload = { type: "example.event", timestamp: now.toISOString(), data };
  return JSON.stringify(payload);
}

const KEPT =
  "; it is saved all the same, since it may rely on fields your events carry. " +
  "Try it on a real event with: intg webhooks transform --endpoint <id> --event <id>";

/** Refuses (usage error, exit 2) an expression that goes over the transform budget on the sample event. */
export async function trySampleEvent(expression: string, trial: TransformTrial): Promise<void> {
  const pool = trial.pool ?? transformPool();
  let result: string | null;
  try {
    result = await pool.evaluate(expression, sampleEnvelope(trial.now));
  } catch (error) {
    if (error instanceof PoolError && error.limit) {
      const { timeoutMs, maxDepth, maxOutputBytes } = pool.budget;
      throw new UsageError(
        `--transform: on a sample event, ${error.message}; nothing was written.`,
        `Deliveries run it within the same budget (${timeoutMs} ms, ${maxDepth} levels of nesting, ` +
          `a ${maxOutputBytes}-byte result): over it here, it would fail them too. ` +
          "Check for a recursion or loop that never ends.",
        "TRANSFORMATION_OVER_BUDGET",
      );
    }
    trial.warn?.(`--transform failed on a sample event (${(error as Error).message})${KEPT}`);
    return;
  }
  if (result === null) trial.warn?.(`--transform produced nothing for a sample event${KEPT}`);
}
