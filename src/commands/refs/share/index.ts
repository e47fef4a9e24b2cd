import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerList } from "./list.js";
import { registerResolve } from "./resolve.js";
import { registerRevoke } from "./revoke.js";

export function registerShare(refs: Command, context: ContextFactory): void {
  const share = refs
    .command("share")
    .description("Share links: tokens that resolve to one reference, with an expiry and a use limit");
  registerCreate(share, context);
  registerList(share, context);
  registerRevoke(share, context);
  registerResolve(share, context);
}
