import { displayWidth, stripAnsi, truncateToWidth } from "../lib/display-width.js";

// The one table printer, as gh's: on a terminal, columns fitted to its width (the widest
// truncated first, with "…"), a bold header and no rules; off a terminal, tab-separated rows
// with no header and no colour, in the same column order, so cut, awk and sort work on them.

export type Cell = string | number | null | undefined;

export interface TableOptions {
  tty: boolean;
  /** Terminal columns; only read on a TTY. */
  width: number;
  /** Styles the header (bold on a colour terminal). */
  header?: (text: string) => string;
  /** The clock: on a TTY an ISO-8601 instant is shown relative to it ("3d ago"), as gh does. */
  now?: Date;
}

const GAP = "  ";
// A column truncated below this many columns says little: others give way first. Below that, an
// id stays whole while the rest go down to NARROW_COLUMN: a cut id cannot be copied.
const MIN_COLUMN = 6;
const NARROW_COLUMN = 4;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
// Prefixed ids (key_…, conn_…) are what a person copies from a table: truncated last.
const PREFIXED_ID = /^[a-z]+_[0-9A-Za-z]+$/;
// Controls would break a row in two (newline, tab) or move the cursor; ESC stays for colour.
const CONTROLS = /[\x00-\x1a\x1c-\x1f\x7f]/g;

export function renderTable(headers: string[], rows: Cell[][], options: TableOptions): string {
  if (!options.tty) {
    if (rows.length === 0) return "";
    return (
      rows.map((row) => row.map((cell) => stripAnsi(text(cell)).replace(CONTROLS, " ")).join("\t")).join("\n") + "\n"
    );
  }
  const now = options.now;
  const body = rows.map((row) => headers.map((_, i) => ttyCell(row[i], now)));
  const natural = headers.map((h, i) => body.reduce((w, r) => Math.max(w, displayWidth(r[i]!)), displayWidth(h)));
  const ids = headers.map((_, i) => body.length > 0 && body.every((r) => r[i] === "" || PREFIXED_ID.test(r[i]!)));
  const widths = fitWidths(natural, ids, options.width - GAP.length * (headers.length - 1));
  const style = options.header ?? ((s: string) => s);
  const lines = [line(headers, widths, style), ...body.map((r) => line(r, widths))];
  // Only when even the narrowest columns do not fit (very many columns): cut the line itself.
  return lines.map((l) => (displayWidth(l) > options.width ? truncateToWidth(l, options.width) : l)).join("\n") + "\n";
}

function text(cell: Cell): string {
  return cell === null || cell === undefined ? "" : String(cell);
}

function ttyCell(cell: Cell, now: Date | undefined): string {
  const s = text(cell).replace(CONTROLS, " ");
  return now && ISO_INSTANT.test(s) ? relativeTime(new Date(s), now) : s;
}

function line(cells: string[], widths: number[], style: (s: string) => string = (s) => s): string {
  let out = "";
  for (let i = 0; i < cells.length; i++) {
    const cell = truncateToWidth(cells[i]!, widths[i]!);
    if (i > 0) out += GAP;
    out += style(cell);
    // No padding after the last column: no trailing blanks to copy.
    if (i < cells.length - 1) out += " ".repeat(Math.max(0, widths[i]! - displayWidth(cell)));
  }
  return out.trimEnd();
}

/**
 * Column widths that fit `room`: the widest columns are narrowed to a common cap, the others keep
 * their width. Id columns give way only when narrowing the rest cannot make the table fit.
 */
export function fitWidths(natural: number[], protect: boolean[], room: number): number[] {
  if (sum(natural) <= room) return natural;
  return (
    capped(natural, protect, room, MIN_COLUMN) ??
    capped(natural, protect, room, NARROW_COLUMN) ??
    capped(
      natural,
      natural.map(() => false),
      room,
      MIN_COLUMN,
    ) ??
    capped(
      natural,
      natural.map(() => false),
      room,
      1,
    ) ??
    natural.map((w) => Math.min(w, 1))
  );
}

function capped(natural: number[], protect: boolean[], room: number, floor: number): number[] | undefined {
  const at = (cap: number) => natural.map((w, i) => (protect[i] ? w : Math.min(w, Math.max(cap, floor))));
  if (sum(at(floor)) > room) return undefined;
  // The largest cap that fits, then what is left over goes one column each to the narrowed ones.
  let low = floor;
  let high = Math.max(...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sum(at(mid)) <= room) low = mid;
    else high = mid - 1;
  }
  const widths = at(low);
  let spare = room - sum(widths);
  for (let i = 0; i < widths.length && spare > 0; i++) {
    if (widths[i]! < natural[i]!) {
      widths[i]!++;
      spare--;
    }
  }
  return widths;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

const UNITS: [number, string][] = [
  [365 * 86_400_000, "y"],
  [30 * 86_400_000, "mo"],
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "m"],
];

/** "3d ago", "in 2mo", "just now": short enough for a table cell on an 80-column terminal. */
export function relativeTime(when: Date, now: Date): string {
  const delta = when.getTime() - now.getTime();
  const abs = Math.abs(delta);
  if (abs < 60_000) return "just now";
  // Two of a unit before switching to it: 36 hours is "36h", not "1d".
  const [size, unit] = UNITS.find(([size]) => abs >= 2 * size) ?? UNITS[UNITS.length - 1]!;
  const n = Math.floor(abs / size);
  return delta < 0 ? `${n}${unit} ago` : `in ${n}${unit}`;
}

/** A show view: "field  value" lines on a TTY (names aligned), "field:\tvalue" lines off it, as gh's views. */
export function renderDetails(pairs: [string, Cell][], options: Pick<TableOptions, "tty" | "header">): string {
  if (!options.tty)
    return pairs.map(([k, v]) => `${k}:\t${stripAnsi(text(v)).replace(/\r?\n/g, "\n\t")}`).join("\n") + "\n";
  const pad = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  const style = options.header ?? ((s: string) => s);
  const indent = " ".repeat(pad + GAP.length);
  return (
    pairs
      .map(([k, v]) =>
        `${style(k)}${" ".repeat(pad - displayWidth(k))}${GAP}${text(v).replace(/\r?\n/g, `\n${indent}`)}`.trimEnd(),
      )
      .join("\n") + "\n"
  );
}
