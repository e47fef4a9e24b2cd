import type { CommandContext } from "./context.js";

export interface ProgressBar {
  update(p: { done: number; total: number }): void;
  stop(): void;
}

// A bar on stderr, only on a terminal and not under --json or --quiet (DESIGN §5).
export async function progressBar(ctx: CommandContext, format: string): Promise<ProgressBar | undefined> {
  if (!ctx.deps.io.stderrIsTTY || ctx.out.json || ctx.globals.quiet) return undefined;
  const { default: progress } = await import("cli-progress");
  // cli-progress asks the stream whether it is a terminal; intg decided that already (deps.io).
  const stderr = ctx.deps.io.stderr as NodeJS.WritableStream & { columns?: number };
  const stream = {
    isTTY: true,
    columns: stderr.columns,
    write: (s: string) => stderr.write(s),
  } as unknown as NodeJS.WritableStream;
  const bar = new progress.SingleBar(
    { stream, format, hideCursor: true, clearOnComplete: true },
    progress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ done, total }) => {
      if (started) {
        bar.setTotal(total);
        bar.update(done);
      } else {
        bar.start(total, done);
        started = true;
      }
    },
    stop: () => started && bar.stop(),
  };
}
