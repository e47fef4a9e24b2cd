// The integration types library: the views services return and `--json` prints. Type-only
// re-exports, so importing the barrel loads nothing at run time; the enums' value objects are in
// ../enums.ts.
export type * from "../common.js";
export type * from "./api.types.js";
export type * from "./webhook.types.js";
export type * from "./integration.types.js";
export type * from "./external-reference.types.js";
