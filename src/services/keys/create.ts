import { generateKey, KEY_FORMAT_VERSION, type KeyEnvironment } from "../../lib/api-key.js";
import { newId } from "../../lib/ids.js";
import type { SqlClient } from "../../db/sql.js";
import type { ApiKeyScope } from "../../types/enums.js";
import type { JsonObject } from "../../types/common.js";
import type { ApiKeyCreated } from "../../types/integration/api.types.js";
import { recordAudit } from "../audit/record.js";
import type { ServiceContext } from "../context.js";
import { findKeyRow } from "./show.js";
import { keyInfos } from "./views.js";

export interface CreateKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  environment: KeyEnvironment;
  prefix: string;
  ownerId: string | null;
  metadata: JsonObject | null;
  expiresAt: Date | null;
}

/** Creates a key and returns it with its plaintext, the only time the plaintext exists. */
export async function createKey(ctx: ServiceContext, input: CreateKeyInput): Promise<ApiKeyCreated> {
  return ctx.sql.transaction(async (tx) => {
    const { id, key } = await insertKey(tx, ctx.now(), input, null);
    await recordAudit({ ...ctx, sql: tx }, { action: "key.create", targetType: "api_key", targetId: id, metadata: { name: input.name, scopes: input.scopes, environment: input.environment } });
    const [info] = await keyInfos(tx, [await findKeyRow(tx, id)], ctx.now());
    return { ...info!, key };
  });
}

/** The insert shared by create and rotate; only the hash and display fragments are stored. */
export async function insertKey(tx: SqlClient, now: Date, input: CreateKeyInput, rotatedFromId: string | null): Promise<{ id: string; key: string }> {
  const id = newId("apiKey", now);
  const generated = generateKey(input.prefix, input.environment);
  await tx.run(
    `INSERT INTO "ApiKey" ("id","name","prefix","environment","hash","start","end","formatVersion","status","ownerId","metadata","expiresAt","rotatedFromId","useCount","createdAt","updatedAt") VALUES (?,?,?,?,?,?,?,?,'ACTIVE',?,?,?,?,0,?,?)`,
    [id, input.name, input.prefix, input.environment, generated.hash, generated.start, generated.end, KEY_FORMAT_VERSION, input.ownerId, input.metadata, input.expiresAt, rotatedFromId, now, now],
  );
  for (const scope of new Set(input.scopes)) {
    await tx.run(`INSERT INTO "ApiKeyScopeGrant" ("apiKeyId","scope") VALUES (?,?)`, [id, scope]);
  }
  return { id, key: generated.key };
}
