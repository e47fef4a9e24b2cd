import type { CommandContext } from "../../cli/context.js";

/** One write of many lines, waiting when the reader is slower, so memory stays at one batch. */
export async function writeOut(ctx: CommandContext, text: string): Promise<void> {
  const stdout = ctx.deps.io.stdout as { write(s: string): unknown; once?(event: "drain", fn: () => void): unknown };
  if (stdout.write(text) === false && stdout.once) await new Promise<void>((resolve) => stdout.once!("drain", resolve));
}
