import type { StatementText } from "./prepared-run.js";

/**
 * The keyed prepared statements' text on both providers, by key. Empty here, so that code run
 * from source (the tests) always compiles them; the build fills it in the CLI from the same
 * statements (scripts/build.mjs), and a test holds the built text to what Kysely compiles now.
 */
export const PRECOMPILED: Readonly<Record<string, Readonly<Record<"sqlite" | "postgresql", StatementText>>>> = {};
