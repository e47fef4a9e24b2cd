import type { Command } from "commander";
import { noFieldsError, unknownFieldsError } from "./json-filter.js";

// `--json a,b` is checked against the fields a command declares before its action runs, as gh
// does: a wrong name found only when the result is printed comes after the write (a key created,
// its secret shown once and lost). Each command that prints JSON declares its view's fields
// (src/types/**/*.fields.ts) where it is registered; a test over the command tree holds every
// command to it.

/** Output that is not objects with fixed fields (a script, text): `--json a,b` is refused. */
export const NO_FIELDS = "none";

/** What a command declares: the field names its JSON may hold, or that it has none to select. */
export type DeclaredFields = readonly string[] | typeof NO_FIELDS;

const declared = new WeakMap<Command, DeclaredFields>();

/** Records the fields `--json a,b` may name on this command; returns it for chaining. */
export function jsonFields(command: Command, fields: DeclaredFields): Command {
  declared.set(command, fields);
  return command;
}

/** The fields a command declared, if it did. */
export function declaredJsonFields(command: Command): DeclaredFields | undefined {
  return declared.get(command);
}

/**
 * Refuses `--json a,b` naming a field the command does not declare, before anything runs. A
 * command that declared nothing is left to the check on its output (selectFields).
 */
export function checkJsonFields(command: Command, fields: readonly string[]): void {
  const known = declared.get(command);
  if (known === undefined) return;
  if (known === NO_FIELDS) throw noFieldsError();
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length > 0) throw unknownFieldsError(unknown, known);
}
