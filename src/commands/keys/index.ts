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

export function registerKeys(keys: Command, context: ContextFactory): void {
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
