import type { CommandContext } from "../../cli/context.js";

export interface Progress {
  update(value: number, rows: number): void;
  stop(): void;
}

// A bar on stderr, only on a terminal and not under --json or --quiet (DESIGN §5).
export async function progressBar(
  ctx: CommandContext,
  label: string,
  total: number | null,
): Promise<Progress | undefined> {
  if (!ctx.deps.io.stderrIsTTY || ctx.out.json || ctx.globals.quiet || !total) return undefined;
  const { default: progress } = await import("cli-progress");
  // cli-progress asks the stream whether it is a terminal; intg decided that already (deps.io).
  const stderr = ctx.deps.io.stderr as NodeJS.WritableStream & { columns?: number };
  const stream = {
    isTTY: true,
    columns: stderr.columns,
    write: (s: string) => stderr.write(s),
  } as unknown as NodeJS.WritableStream;
  const bar = new progress.SingleBar(
    {
      stream,
      format: `${label} {bar} {percentage}% | {rows} rows | {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    progress.Presets.shades_classic,
  );
  bar.start(total, 0, { rows: 0 });
  return { update: (value, rows) => bar.update(value, { rows }), stop: () => bar.stop() };
}
