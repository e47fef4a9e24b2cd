import type { IntegrationSecretInfo } from "../../types/integration/api.types.js";
import type { ServiceContext } from "../context.js";
import { findSecret, toSecretInfo } from "./rows.js";

/** `secrets show <name|id>`: the metadata, never the value (that is `secrets reveal`). */
export async function getSecret(ctx: ServiceContext, ref: string): Promise<IntegrationSecretInfo> {
  return toSecretInfo(await findSecret(ctx.sql, ref));
}
