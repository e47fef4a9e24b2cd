import type { Env } from "../db/url.js";
import type { GlobalOptions, IO } from "./deps.js";

/** The few styles intg uses; chalk's instances have this shape. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
}
export type StyleFactory = (enabled: boolean) => Style;

const same = (text: string) => text;
const PLAIN: Style = { bold: same, dim: same, green: same, yellow: same, red: same };

/** Whether any stream could show colour; when none can, chalk is not even loaded (start-up time). */
export function colourPossible(io: IO, env: Env, argv: readonly string[]): boolean {
  return (io.stdoutIsTTY || io.stderrIsTTY) && !env.NO_COLOR && env.TERM !== "dumb" && !argv.includes("--no-color");
}

/**
 * stdout carries the result and nothing else; messages go to stderr. Colour only on a TTY, and
 * never with NO_COLOR, TERM=dumb or --no-color. Tables have the same columns on and off a TTY.
 */
export class Output {
  readonly color: Style;
  readonly errColor: Style;

  constructor(
    private readonly io: IO,
    env: Env,
    private readonly globals: GlobalOptions,
    style?: StyleFactory,
  ) {
    const allowed = Boolean(style) && globals.color && !env.NO_COLOR && env.TERM !== "dumb";
    this.color = style && allowed && io.stdoutIsTTY ? style(true) : PLAIN;
    this.errColor = style && allowed && io.stderrIsTTY ? style(true) : PLAIN;
  }

  get json(): boolean {
    return this.globals.json;
  }

  /**
   * The command's result as JSON: the serialised view type(s), dates as ISO-8601 strings.
   * Indented for a person at a terminal; compact for a program reading a pipe, as gh does.
   */
  printJson(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, null, this.io.stdoutIsTTY ? 2 : undefined) + "\n");
  }

  /** One object per line, for streams. */
  printNdjson(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value) + "\n");
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** A message for a person on stderr; --quiet silences it. */
  info(text: string): void {
    if (!this.globals.quiet) this.io.stderr.write(text + "\n");
  }

  success(text: string): void {
    this.info(this.errColor.green("✓ ") + text);
  }

  warn(text: string): void {
    this.io.stderr.write(this.errColor.yellow("warning: ") + text + "\n");
  }

  async table(headers: string[], rows: (string | number | null | undefined)[][]): Promise<void> {
    // Loaded on demand: most JSON and error paths never draw a table.
    const { default: Table } = await import("cli-table3");
    const table = new Table({
      head: headers.map((h) => this.color.bold(h)),
      style: { head: [], border: [] },
    });
    for (const row of rows) table.push(row.map((cell) => (cell === null || cell === undefined ? "" : String(cell))));
    this.io.stdout.write(table.toString() + "\n");
  }

  /** A key/value listing for `show`-style commands. */
  async details(pairs: [string, string | number | null | undefined][]): Promise<void> {
    await this.table(
      ["FIELD", "VALUE"],
      pairs.map(([k, v]) => [k, v]),
    );
  }
}
