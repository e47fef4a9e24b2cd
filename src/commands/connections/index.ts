import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerAnalytics } from "./analytics.js";
import { registerBackup } from "./backup.js";
import { registerCheck } from "./check.js";
import { registerChecks } from "./checks.js";
import { registerCreate } from "./create.js";
import { registerDelete } from "./delete.js";
import { registerDisable } from "./disable.js";
import { registerEnable } from "./enable.js";
import { registerEvents } from "./events.js";
import { registerImport } from "./import.js";
import { registerList } from "./list.js";
import { registerRequest } from "./request.js";
import { registerRestore } from "./restore.js";
import { registerSetCredentials } from "./set-credentials.js";
import { registerShow } from "./show.js";
import { registerSync } from "./sync.js";
import { registerSyncs } from "./syncs.js";
import { registerUpdate } from "./update.js";
import { registerValidate } from "./validate.js";
import { examples } from "../examples.js";

export function registerConnections(connections: Command, context: ContextFactory): void {
  connections.addHelpText(
    "after",
    [
      "",
      "A connection is one set of credentials for one provider in one environment. Credentials are read",
      "from stdin, a file or an environment variable (never a flag), stored encrypted under the master key",
      "(see intg secrets --help), and never printed. `intg connections check --all --json` is the CI gate:",
      "exit 0 when every connection is healthy, 3 when any is not, 4 when a provider refused a credential.",
    ].join("\n"),
  );
  connections.addHelpText(
    "after",
    examples([
      [
        "Connect to Stripe in production with a key read from stdin",
        "intg connections create --provider stripe --environment production --name main < stripe-key.txt",
      ],
      ["In CI: check every connection; the exit code decides the build", "intg connections check --all --json"],
      [
        "Send an authenticated request through a connection",
        "intg connections request conn_01JD8T6B9C GET /v1/balance",
      ],
      [
        "Pull a resource's records into external references",
        "intg connections sync conn_01JD8T6B9C --resource contacts",
      ],
    ]),
  );
  registerCreate(connections, context);
  registerList(connections, context);
  registerShow(connections, context);
  registerUpdate(connections, context);
  registerSetCredentials(connections, context);
  registerDisable(connections, context);
  registerEnable(connections, context);
  registerDelete(connections, context);
  registerValidate(connections, context);
  registerImport(connections, context);
  registerCheck(connections, context);
  registerChecks(connections, context);
  registerRequest(connections, context);
  registerEvents(connections, context);
  registerAnalytics(connections, context);
  registerBackup(connections, context);
  registerRestore(connections, context);
  registerSync(connections, context);
  registerSyncs(connections, context);
}
