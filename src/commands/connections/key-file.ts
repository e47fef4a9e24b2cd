import type { CommandContext } from "../../cli/context.js";
import type { ConnectionWritten } from "../../services/connections/write.js";

/** Storing a credential may create the master key file (embedded database): say so, so it gets backed up. */
export function warnKeyFile(ctx: CommandContext, written: ConnectionWritten): void {
  if (written.keyFileCreated)
    ctx.out.warn(
      `created the master key file ${written.keyFileCreated} (mode 0600). Back it up: without it these credentials cannot be decrypted.`,
    );
}
