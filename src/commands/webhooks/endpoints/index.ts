import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerDelete } from "./delete.js";
import { registerDisable } from "./disable.js";
import { registerEnable } from "./enable.js";
import { registerList } from "./list.js";
import { registerRotateSecret } from "./rotate-secret.js";
import { registerShow } from "./show.js";
import { registerUpdate } from "./update.js";
import { examples } from "../../examples.js";

export function registerEndpoints(webhooks: Command, context: ContextFactory): void {
  const endpoints = webhooks
    .command("endpoints")
    .description("Where events are delivered: URL, filter, schedule, signing secret")
    .addHelpText(
      "after",
      examples([
        [
          "Create an endpoint for invoice events",
          "intg webhooks endpoints create --url https://api.example.com/webhooks --events 'invoice.*'",
        ],
        ["List endpoints", "intg webhooks endpoints list"],
        [
          "Rotate an endpoint's signing secret, keeping the old one for a day",
          "intg webhooks endpoints rotate-secret ep_01JD8R2N5T --grace 24h",
        ],
      ]),
    );
  registerCreate(endpoints, context);
  registerUpdate(endpoints, context);
  registerList(endpoints, context);
  registerShow(endpoints, context);
  registerDisable(endpoints, context);
  registerEnable(endpoints, context);
  registerDelete(endpoints, context);
  registerRotateSecret(endpoints, context);
}
