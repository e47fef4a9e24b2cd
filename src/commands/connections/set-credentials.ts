import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { CONNECTION_FIELDS } from "../../types/integration/integration.fields.js";
import type { ContextFactory } from "../../cli/program.js";
import { showConnection } from "../../services/connections/rows.js";
import { showProvider } from "../../services/providers/rows.js";
import { addCredentialFlags, readCredential, type CredentialFlags } from "./credential-flags.js";
import { warnKeyFile } from "./key-file.js";
import { printConnection } from "./render.js";
import { examples } from "../examples.js";

export function registerSetCredentials(connections: Command, context: ContextFactory): void {
  const command = addCredentialFlags(
    jsonFields(connections.command("set-credentials <id>"), CONNECTION_FIELDS).description(
      "Replace a connection's credential (stored encrypted; its status returns to pending)",
    ),
  );
  command.addHelpText(
    "after",
    examples([
      [
        "Replace a connection's credential with one read from stdin",
        "intg connections set-credentials conn_01JD8T6B9C < new-key.txt",
      ],
      ["Read it from a file instead", "intg connections set-credentials conn_01JD8T6B9C --from-file ./new-key.txt"],
    ]),
  );
  command.action(async (id: string, flags: CredentialFlags, cmd: Command) => {
    const ctx = context(cmd);
    const services = await ctx.services();
    const current = await showConnection(services, id);
    const provider = await showProvider(services, current.provider.id);
    const credential = await readCredential(ctx, provider.connector.auth.type, flags);
    const { setConnectionCredentials } = await import("../../services/connections/write.js");
    const written = await setConnectionCredentials(services, id, credential);
    warnKeyFile(ctx, written);
    await printConnection(ctx, written.connection);
    ctx.out.success(`Replaced the credential of ${id}. Check it with: intg connections check ${id}`);
  });
}
