import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerExpire } from "./expire.js";
import { registerIdentify } from "./identify.js";
import { registerList } from "./list.js";
import { registerMetrics } from "./metrics.js";
import { registerRevoke } from "./revoke.js";
import { registerRotate } from "./rotate/index.js";
import { registerShow } from "./show.js";
import { registerVerify } from "./verify.js";
import { examples } from "../examples.js";

export function registerKeys(keys: Command, context: ContextFactory): void {
  keys.addHelpText(
    "after",
    examples([
      ["Create a key for CI that expires in 90 days", "intg keys create --name ci-deploy --expires-in 90d"],
      ["List active keys", "intg keys list --status active"],
      ["Rotate a key, keeping the old one valid for an hour", "intg keys rotate key_01JD8Q3ZK7 --grace 1h"],
      ["Verify a key kept in a file (exit 4 when refused)", "intg keys verify --key-file ./key.txt"],
    ]),
  );
  registerCreate(keys, context);
  registerList(keys, context);
  registerShow(keys, context);
  registerRotate(keys, context);
  registerRevoke(keys, context);
  registerVerify(keys, context);
  registerIdentify(keys, context);
  registerExpire(keys, context);
  registerMetrics(keys, context);
}
