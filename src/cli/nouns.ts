import type { Command } from "commander";
import type { ContextFactory } from "./program.js";

/** `verb` is the word after the noun on the command line; a noun may use it to load only that verb. */
export type Register = (noun: Command, context: ContextFactory, verb?: string) => void | Promise<void>;

/**
 * The nouns that work. Each one's verbs (and what they import) load only when that noun is on
 * the command line: the CLI starts again for every command, and every noun it does not parse is
 * start-up time for nothing. `intg --help` lists them all from the descriptions here.
 */
export const NOUNS: readonly { name: string; description: string; load: () => Promise<Register> }[] = [
  {
    name: "db",
    description: "Manage intg's own database: which one is in use, its migrations",
    load: async () => (await import("../commands/db/index.js")).registerDb,
  },
  {
    name: "keys",
    description: "API keys: create, list, rotate with a grace period, revoke, verify, expire, metrics",
    load: async () => (await import("../commands/keys/index.js")).registerKeys,
  },
  {
    name: "webhooks",
    description: "Webhook endpoints and events: send, deliver (worker), replay, verify, listen",
    load: async () => (await import("../commands/webhooks/index.js")).registerWebhooks,
  },
  {
    name: "secrets",
    description: "Encrypted credentials and master-key rotation",
    load: async () => (await import("../commands/secrets/index.js")).registerSecrets,
  },
  {
    name: "connections",
    description: "Connections to third-party providers: encrypted credentials, health checks for CI",
    load: async () => (await import("../commands/connections/index.js")).registerConnections,
  },
  {
    name: "providers",
    description: "Provider definitions and the built-in template catalog",
    load: async () => (await import("../commands/providers/index.js")).registerProviders,
  },
  {
    name: "refs",
    description: "External references: link, lookup, history, bulk import and export, mappings, share links, metrics",
    load: async () => (await import("../commands/refs/index.js")).registerRefs,
  },
  {
    name: "audit",
    description: "The security audit log: every mutation of keys and secrets; tamper-evident",
    load: async () => (await import("../commands/audit/index.js")).registerAudit,
  },
  {
    name: "doctor",
    description: "Check the whole installation at once, each check with the command that fixes it (CI gate)",
    load: async () => (await import("../commands/doctor/index.js")).registerDoctor,
  },
  {
    name: "completion",
    description: "Print a script that completes intg's commands, flags and values in bash, zsh or fish",
    load: async () => {
      const [{ registerCompletion }, { buildFullProgram }] = await Promise.all([
        import("../commands/completion/index.js"),
        import("./program.js"), // loaded already: it is what loads this list
      ]);
      // The script is generated from the whole tree, so this noun alone needs every noun loaded.
      return (noun, context) => registerCompletion(noun, context, buildFullProgram);
    },
  },
];
