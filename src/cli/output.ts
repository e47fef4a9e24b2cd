import type { Env } from "../db/url.js";
import type { GlobalOptions, IO } from "./deps.js";
import { type JqFilter, pickFields, selectFields } from "./json-filter.js";
import { type Cell, renderDetails, renderTable } from "./table.js";

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

/** The terminal's width: COLUMNS when set (as gh reads it), else the terminal's own, else 80. */
export function terminalWidth(io: IO, env: Env): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return io.columns && io.columns > 0 ? io.columns : 80;
}

export interface OutputExtras {
  /** The clock tables show relative times against on a TTY. */
  now?: () => Date;
  /** --jq, loaded and compiled before the command ran. */
  jq?: JqFilter;
}

/**
 * stdout carries the result and nothing else; messages go to stderr. Colour only on a TTY, and
 * never with NO_COLOR, TERM=dumb or --no-color. Tables have the same columns on and off a TTY.
 * -q leaves results and errors; --json leaves the JSON (and errors) and no success lines.
 */
export class Output {
  readonly color: Style;
  readonly errColor: Style;

  constructor(
    private readonly io: IO,
    private readonly env: Env,
    private readonly globals: GlobalOptions,
    style?: StyleFactory,
    private readonly extras: OutputExtras = {},
  ) {
    const allowed = Boolean(style) && globals.color && !env.NO_COLOR && env.TERM !== "dumb";
    this.color = style && allowed && io.stdoutIsTTY ? style(true) : PLAIN;
    this.errColor = style && allowed && io.stderrIsTTY ? style(true) : PLAIN;
  }

  get json(): boolean {
    return this.globals.json;
  }

  /** -q: results and errors only. A command that writes then prints what it made by its id alone. */
  get quiet(): boolean {
    return this.globals.quiet;
  }

  /**
   * The command's result as JSON: the serialised view type(s), dates as ISO-8601 strings.
   * Indented for a person at a terminal; compact for a program reading a pipe, as gh does.
   * `--json a,b` keeps only those fields; `--jq` filters what is left. `shownOnce`: the result
   * holds a secret printed this once, so a wrong field name must not swallow it.
   */
  printJson(value: unknown, opts: { shownOnce?: boolean } = {}): void {
    const fields = this.globals.jsonFields;
    let selected = value;
    try {
      if (fields) selected = selectFields(value, fields, this.globals.jsonFieldsDeclared);
    } catch (error) {
      // The names were checked before the command ran when it declares its fields; this is the
      // backstop for one that does not. A result holding something shown once (a new key's
      // secret) is printed whole rather than lost, then it fails.
      if (opts.shownOnce) this.io.stdout.write(JSON.stringify(value, null, this.io.stdoutIsTTY ? 2 : undefined) + "\n");
      throw error;
    }
    if (this.extras.jq) return this.writeJq(JSON.stringify(selected));
    this.io.stdout.write(JSON.stringify(selected, null, this.io.stdoutIsTTY ? 2 : undefined) + "\n");
  }

  /**
   * Whether printJson would print the whole value, compact (--json to a pipe or a file, no fields,
   * no --jq): a command may then hand over JSON text it got without building the value.
   */
  get plainJson(): boolean {
    const { json, jsonFields, jq } = this.globals;
    return json && !jsonFields && !jq && !this.extras.jq && !this.io.stdoutIsTTY;
  }

  /** JSON text that is exactly what printJson would print of the value (see plainJson). */
  printJsonText(text: string): void {
    this.io.stdout.write(text + "\n");
  }

  /** One object per line, for streams. Lines may differ in shape: fields are kept where present. */
  printNdjson(value: unknown): void {
    const fields = this.globals.jsonFields;
    const record = typeof value === "object" && value !== null && !Array.isArray(value);
    const selected = fields && record ? pickFields(value as Record<string, unknown>, fields) : value;
    if (this.extras.jq) return this.writeJq(JSON.stringify(selected));
    this.io.stdout.write(JSON.stringify(selected) + "\n");
  }

  private writeJq(json: string): void {
    const { output, error } = this.extras.jq!.run(json);
    if (output) this.io.stdout.write(output);
    if (error) throw error;
  }

  print(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** A message for a person on stderr; --quiet silences it. */
  info(text: string): void {
    if (!this.globals.quiet) this.io.stderr.write(text + "\n");
  }

  /** "✓ done": not under --quiet, and not under --json, whose output is the JSON alone. */
  success(text: string): void {
    if (!this.globals.json) this.info(this.errColor.green("✓ ") + text);
  }

  /** --quiet leaves results and errors only, so warnings go too. */
  warn(text: string): void {
    if (!this.globals.quiet) this.io.stderr.write(this.errColor.yellow("warning: ") + text + "\n");
  }

  /** Async for the callers written when the table library loaded on demand. */
  async table(headers: string[], rows: Cell[][]): Promise<void> {
    const tty = this.io.stdoutIsTTY;
    const width = terminalWidth(this.io, this.env);
    const now = this.extras.now?.();
    this.io.stdout.write(renderTable(headers, rows, { tty, width, header: this.color.bold, now }));
  }

  /** A key/value listing for `show`-style commands. */
  async details(pairs: [string, Cell][]): Promise<void> {
    this.io.stdout.write(renderDetails(pairs, { tty: this.io.stdoutIsTTY, header: this.color.bold }));
  }
}
