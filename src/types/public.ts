// "intg/types": the integration types library (api, webhook, integration, external-reference
// views) with the enums as values, for code that shares intg's vocabulary without its services.
export type * from "./integration/index.js";
export * from "./enums.js";
