import { generateKey, KEY_FORMAT_VERSION, type KeyEnvironment } from "../../lib/api-key.js";
import { newId } from "../../lib/ids.js";
import { jsonText, typed } from "../../db/kysely.js";
import { insertKeyRow } from "../../db/queries/api-key.js";
import { insertScopeGrants } from "../../db/queries/api-key-scope-grant.js";
import { ApiKeyStatus } from "../../db/generated/kysely/enums.js";
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
    await recordAudit(
      { ...ctx, sql: tx },
      {
        action: "key.create",
        targetType: "api_key",
        targetId: id,
        metadata: { name: input.name, scopes: input.scopes, environment: input.environment },
      },
    );
    const [info] = await keyInfos(tx, [await findKeyRow(tx, id)], ctx.now());
    return { ...info!, key };
  });
}

/** The insert shared by create and rotate; only the hash and display fragments are stored. */
export async function insertKey(
  tx: SqlClient,
  now: Date,
  input: CreateKeyInput,
  rotatedFromId: string | null,
): Promise<{ id: string; key: string }> {
  const id = newId("apiKey", now);
  const generated = generateKey(input.prefix, input.environment);
  const db = typed(tx);
  await insertKeyRow(db, {
    id,
    name: input.name,
    prefix: input.prefix,
    environment: input.environment,
    hash: generated.hash,
    start: generated.start,
    end: generated.end,
    formatVersion: KEY_FORMAT_VERSION,
    status: ApiKeyStatus.ACTIVE,
    ownerId: input.ownerId,
    metadata: input.metadata === null ? null : jsonText(input.metadata),
    expiresAt: input.expiresAt,
    rotatedFromId,
    useCount: 0,
    createdAt: now,
    updatedAt: now,
  });
  await insertScopeGrants(db, id, input.scopes);
  return { id, key: generated.key };
}
