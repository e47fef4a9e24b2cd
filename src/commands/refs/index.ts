import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerExport } from "./export.js";
import { registerHistory } from "./history.js";
import { registerImport } from "./import.js";
import { registerLink } from "./link.js";
import { registerList } from "./list.js";
import { registerLookup } from "./lookup.js";
import { registerMetrics } from "./metrics.js";
import { registerMappingsManage } from "./mappings-manage.js";
import { registerMappingsSet } from "./mappings-set.js";
import { registerShareCreate } from "./share-create.js";
import { registerShareManage } from "./share-manage.js";
import { registerTransform } from "./transform.js";
import { registerUnlink } from "./unlink.js";

export function registerRefs(refs: Command, context: ContextFactory): void {
  registerLink(refs, context);
  registerUnlink(refs, context);
  registerList(refs, context);
  registerLookup(refs, context);
  registerHistory(refs, context);
  registerImport(refs, context);
  registerExport(refs, context);
  const mappings = refs
    .command("mappings")
    .description("How a provider's records become the platform's: field mappings, transformations, validations");
  registerMappingsSet(mappings, context);
  registerMappingsManage(mappings, context);
  registerTransform(refs, context);
  registerMetrics(refs, context);
  const share = refs
    .command("share")
    .description("Share links: tokens that resolve to one reference, with an expiry and a use limit");
  registerShareCreate(share, context);
  registerShareManage(share, context);
}
