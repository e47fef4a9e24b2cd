import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerDeliveries } from "./deliveries.js";
import { registerCreateUpdate } from "./endpoints-create.js";
import { registerManage } from "./endpoints-manage.js";
import { registerEventTypes } from "./event-types.js";
import { registerExport } from "./export.js";
import { registerHealth } from "./health.js";
import { registerListen } from "./listen.js";
import { registerMetrics } from "./metrics.js";
import { registerPrune } from "./prune.js";
import { registerReplay } from "./replay.js";
import { registerSend } from "./send.js";
import { registerTransform } from "./transform.js";
import { registerVerify } from "./verify.js";
import { registerWorker } from "./worker.js";

export function registerWebhooks(webhooks: Command, context: ContextFactory): void {
  const endpoints = webhooks.command("endpoints").description("Where events are delivered: URL, filter, schedule, signing secret");
  registerCreateUpdate(endpoints, context);
  registerManage(endpoints, context);
  registerEventTypes(webhooks, context);
  registerSend(webhooks, context);
  registerDeliveries(webhooks, context);
  registerWorker(webhooks, context);
  registerReplay(webhooks, context);
  registerHealth(webhooks, context);
  registerTransform(webhooks, context);
  registerVerify(webhooks, context);
  registerListen(webhooks, context);
  registerExport(webhooks, context);
  registerMetrics(webhooks, context);
  registerPrune(webhooks, context);
}
