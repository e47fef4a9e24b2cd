import type { CommandContext } from "../../cli/context.js";
import { readSecret } from "../../cli/read-secret.js";
import { UsageError } from "../../errors.js";

// The passphrase of a backup with credentials: `backup` checks its strength, `restore` takes what it is given.

const MIN_PASSPHRASE = 12;

export async function readPassphrase(
  ctx: CommandContext,
  file: string | undefined,
  checkStrength: boolean,
): Promise<string> {
  const passphrase = await readSecret(ctx, {
    what: "passphrase",
    file,
    prompt: true,
    how: "pipe it on stdin, or use --passphrase-file <path>",
  });
  if (checkStrength && passphrase.length < MIN_PASSPHRASE)
    throw new UsageError(
      `The passphrase is shorter than ${MIN_PASSPHRASE} characters; nothing was written.`,
      undefined,
      "WEAK_PASSPHRASE",
    );
  return passphrase;
}
