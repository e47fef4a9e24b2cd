// intg as a library: the services the CLI runs, for an app to call in-process. Build a context
// with intgOnPrisma (the app's PrismaClient, or its transaction client inside prisma.$transaction:
// a transactional outbox for webhooks) or openIntg (a database URL), then call the services with
// it. Views and enums are the integration types library, also published alone as "intg/types".
export { intgOnPrisma, openIntg, type IntgOptions, type OpenedIntg } from "./library/context.js";
export type { PrismaLike } from "./db/prisma-sql.js";
export type { ServiceContext } from "./services/context.js";

// API keys
export { createKey, type CreateKeyInput } from "./services/keys/create.js";
export { verifyKey } from "./services/keys/verify.js";
export { rotateKey } from "./services/keys/rotate.js";
export { revokeKey } from "./services/keys/revoke.js";
export { listKeys } from "./services/keys/list.js";
export { showKey } from "./services/keys/show.js";

// Webhooks
export { sendEvent, sendBatch, type SendResult, type SentEvent } from "./services/webhooks/send.js";
export { createEndpoint, type EndpointOptions } from "./services/webhooks/create-endpoint.js";
export { listDeliveries, showDelivery, type DeliveryFilter } from "./services/webhooks/deliveries.js";
export { runWorker, type WorkerOptions, type WorkerSummary } from "./services/webhooks/worker/run.js";

// External references
export { linkReference, type LinkInput, type LinkResult } from "./services/refs/link.js";
export { unlinkReference } from "./services/refs/unlink.js";
export { lookupReferences } from "./services/refs/lookup.js";

export type * from "./types/integration/index.js";
export * from "./types/enums.js";
