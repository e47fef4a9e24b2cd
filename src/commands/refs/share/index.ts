import type { Command } from "commander";
import type { ContextFactory } from "../../../cli/program.js";
import { registerCreate } from "./create.js";
import { registerList } from "./list.js";
import { registerResolve } from "./resolve.js";
import { registerRevoke } from "./revoke.js";
import { examples } from "../../examples.js";

export function registerShare(refs: Command, context: ContextFactory): void {
  const share = refs
    .command("share")
    .description("Share links: tokens that resolve to one reference, with an expiry and a use limit");
  share.addHelpText(
    "after",
    examples([
      [
        "A single-use share link for a reference",
        "intg refs share create ref_01JD8W3H7N --expires-in 24h --max-uses 1",
      ],
      ["List share links", "intg refs share list"],
      ["Revoke one", "intg refs share revoke shl_01JD8X5K2D"],
    ]),
  );
  registerCreate(share, context);
  registerList(share, context);
  registerRevoke(share, context);
  registerResolve(share, context);
}
