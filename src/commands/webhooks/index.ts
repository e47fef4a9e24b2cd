import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { examples } from "../examples.js";

type Register = (noun: Command, context: ContextFactory) => void;

// The verbs of `intg webhooks`, each loaded only when it is the one on the command line: their
// imports (undici, zod, jsonata, the replay and health services) cost the worker ~0.1 s of
// start-up otherwise. Help, an unknown verb or none at all loads them all, in this order, so the
// list and commander's suggestions are complete.
const VERBS: readonly { word: string; load: () => Promise<Register> }[] = [
  { word: "endpoints", load: async () => (await import("./endpoints/index.js")).registerEndpoints },
  { word: "event-types", load: async () => (await import("./event-types/index.js")).registerEventTypes },
  { word: "send", load: async () => (await import("./send.js")).registerSend },
  { word: "deliveries", load: async () => (await import("./deliveries/index.js")).registerDeliveries },
  { word: "worker", load: async () => (await import("./worker.js")).registerWorker },
  { word: "workers", load: async () => (await import("./workers.js")).registerWorkers },
  { word: "replay", load: async () => (await import("./replay.js")).registerReplay },
  { word: "health", load: async () => (await import("./health.js")).registerHealth },
  { word: "transform", load: async () => (await import("./transform.js")).registerTransform },
  { word: "verify", load: async () => (await import("./verify.js")).registerVerify },
  { word: "listen", load: async () => (await import("./listen.js")).registerListen },
  { word: "export", load: async () => (await import("./export.js")).registerExport },
  { word: "metrics", load: async () => (await import("./metrics.js")).registerMetrics },
  { word: "prune", load: async () => (await import("./prune.js")).registerPrune },
];

/** `verb` is the word after `webhooks` on the command line, if any. */
export async function registerWebhooks(webhooks: Command, context: ContextFactory, verb?: string): Promise<void> {
  webhooks.addHelpText(
    "after",
    examples([
      [
        "Deliver invoice events to an endpoint",
        "intg webhooks endpoints create --url https://api.example.com/webhooks --events 'invoice.*'",
      ],
      ["Send an event", 'intg webhooks send invoice.paid --data \'{"id":"in_123"}\''],
      ["Run the delivery worker", "intg webhooks worker"],
      [
        "Send one endpoint's failures of the last hour again",
        "intg webhooks replay --endpoint ep_01JD8R2N5T --since 1h",
      ],
    ]),
  );
  const one = VERBS.find((v) => v.word === verb);
  const wanted = one ? [one] : VERBS;
  const registers = await Promise.all(wanted.map((v) => v.load()));
  for (const register of registers) register(webhooks, context);
}
