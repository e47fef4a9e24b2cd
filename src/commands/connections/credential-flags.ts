import type { Command } from "commander";
import { addRenamedOption, fromEnvOption, fromFileOption } from "../../cli/flags.js";
import type { CommandContext } from "../../cli/context.js";
import { UsageError } from "../../errors.js";
import { readSecret } from "../../cli/read-secret.js";
import { CREDENTIAL_FORMAT } from "../../services/providers/connector.js";
import type { AuthenticationType } from "../../types/enums.js";

// Credentials are read the safe ways only (DESIGN §5): stdin, a file, or a named environment
// variable; never a flag. What is read depends on the provider's authentication type.

export interface CredentialFlags {
  fromFile?: string;
  fromEnv?: string;
}

export function addCredentialFlags(command: Command): Command {
  // --from-file and --from-env, as on `secrets set`; the old names work for one release.
  addRenamedOption(command, fromFileOption("the credential"), "--credential-file <path>");
  addRenamedOption(command, fromEnvOption("the credential"), "--credential-env <VAR>");
  return command.addHelpText(
    "after",
    [
      "",
      "The credential is never taken from a flag: it is read from stdin, --from-file or",
      "--from-env (or asked for, hidden, on a terminal). What it holds depends on the provider's",
      "authentication type:",
      ...Object.entries(CREDENTIAL_FORMAT).map(([type, format]) => `  ${type.toLowerCase().padEnd(26)} ${format}`),
    ].join("\n"),
  );
}

/** The credential text for the auth type; null for NONE (where giving one is a usage error). */
export async function readCredential(
  ctx: CommandContext,
  authType: AuthenticationType,
  flags: CredentialFlags,
): Promise<string | null> {
  if (authType === "NONE") {
    if (flags.fromFile !== undefined || flags.fromEnv !== undefined)
      throw new UsageError("This provider authenticates with none: it takes no credential; nothing was written.");
    return null;
  }
  return readSecret(ctx, {
    what: `${authType.toLowerCase()} credential`,
    file: flags.fromFile,
    env: flags.fromEnv,
    prompt: true,
    how: `pipe ${CREDENTIAL_FORMAT[authType]} on stdin, or use --from-file <path> or --from-env <VAR>`,
  });
}
