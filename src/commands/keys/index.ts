import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { examples } from "../examples.js";

type Register = (noun: Command, context: ContextFactory) => void;

// The verbs of `intg keys`, each loaded only when it is the one on the command line (or its
// alias): `keys list` and `keys verify` are cold-start benchmarks, and the other verbs' imports
// (key creation, rotation, the audit log's sealing) load node:crypto and more for nothing. Help,
// an unknown verb or none at all loads them all, in this order, so the list and commander's
// suggestions are complete.
const VERBS: readonly { words: readonly string[]; load: () => Promise<Register> }[] = [
  { words: ["create"], load: async () => (await import("./create.js")).registerCreate },
  { words: ["list", "ls"], load: async () => (await import("./list.js")).registerList },
  { words: ["show"], load: async () => (await import("./show.js")).registerShow },
  { words: ["rotate"], load: async () => (await import("./rotate/index.js")).registerRotate },
  { words: ["revoke"], load: async () => (await import("./revoke.js")).registerRevoke },
  { words: ["verify"], load: async () => (await import("./verify.js")).registerVerify },
  { words: ["identify"], load: async () => (await import("./identify.js")).registerIdentify },
  { words: ["expire"], load: async () => (await import("./expire.js")).registerExpire },
  { words: ["metrics"], load: async () => (await import("./metrics.js")).registerMetrics },
];

/** `verb` is the word after `keys` on the command line, if any. */
export async function registerKeys(keys: Command, context: ContextFactory, verb?: string): Promise<void> {
  keys.addHelpText(
    "after",
    examples([
      ["Create a key for CI that expires in 90 days", "intg keys create --name ci-deploy --expires-in 90d"],
      ["List active keys", "intg keys list --status active"],
      ["Rotate a key, keeping the old one valid for an hour", "intg keys rotate key_01JD8Q3ZK7 --grace 1h"],
      ["Verify a key kept in a file (exit 4 when refused)", "intg keys verify --key-file ./key.txt"],
    ]),
  );
  const one = VERBS.find((v) => verb !== undefined && v.words.includes(verb));
  const registers = await Promise.all((one ? [one] : VERBS).map((v) => v.load()));
  for (const register of registers) register(keys, context);
}
