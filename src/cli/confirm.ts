import type { CommandContext } from "./context.js";
import { IntgError, UsageError } from "../errors.js";

/**
 * Asks before a destructive step. --yes answers for scripts; without it, a session that is not
 * interactive (stdin and stdout both TTYs) is refused rather than left waiting on a prompt.
 */
export async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  if (ctx.globals.yes) return true;
  const { io } = ctx.deps;
  if (!io.stdinIsTTY || !io.stdoutIsTTY) {
    throw new UsageError(
      "--yes required when not running interactively.",
      "Re-run with --yes, or with --dry-run to see what would change.",
    );
  }
  const { confirm: ask } = await import("@inquirer/prompts");
  return ask({ message: question, default: false }, { input: io.stdin, output: io.stderr as NodeJS.WritableStream });
}

/** Asks, and stops the command when the answer is no: nothing was changed, exit 1. */
export async function confirmOrCancel(ctx: CommandContext, question: string, nothing: string): Promise<void> {
  if (!(await confirm(ctx, question))) throw new IntgError("CANCELLED", `Cancelled: ${nothing}.`);
}
