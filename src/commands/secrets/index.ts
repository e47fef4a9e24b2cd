import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerDelete } from "./delete.js";
import { registerList } from "./list.js";
import { registerPruneKeys } from "./prune-keys.js";
import { registerReveal } from "./reveal.js";
import { registerRotateMasterKey } from "./rotate-master-key.js";
import { registerSet } from "./set.js";
import { registerShow } from "./show.js";
import { registerStatus } from "./status.js";
import { examples } from "../examples.js";

export function registerSecrets(secrets: Command, context: ContextFactory): void {
  secrets.addHelpText(
    "after",
    [
      "",
      "Secrets are encrypted with AES-256-GCM under a master key: INTG_MASTER_KEY (base64 of 32 bytes),",
      "else, for the embedded database only, the key file master.key beside it (created with mode 0600",
      "on first use; back it up). Any other database needs INTG_MASTER_KEY. INTG_PREVIOUS_MASTER_KEYS",
      "(comma-separated base64) lends older keys for reading while a rotation is under way.",
      "Values are never taken from flags, and printed only by `intg secrets reveal`.",
      "A key that opens none of the stored secrets is refused for new ones (exit 4); `secrets set",
      "--new-master-key` starts the store over on purpose. Key changes (rotate-master-key, prune-keys,",
      "creating the key file) take one lock, so concurrent runs wait their turn (exit 6 after 2 min).",
    ].join("\n"),
  );
  secrets.addHelpText(
    "after",
    examples([
      ["Store an API key read from stdin", "intg secrets set stripe-live --type api_key < stripe-key.txt"],
      ["List secrets (never their values)", "intg secrets list"],
      ["Print a value (recorded in the audit log)", "intg secrets reveal stripe-live"],
      ["Re-encrypt every secret under a new master key", "intg secrets rotate-master-key --yes"],
    ]),
  );
  registerSet(secrets, context);
  registerList(secrets, context);
  registerShow(secrets, context);
  registerReveal(secrets, context);
  registerDelete(secrets, context);
  registerStatus(secrets, context);
  registerRotateMasterKey(secrets, context);
  registerPruneKeys(secrets, context);
}
