// How many terminal columns text takes: colour codes take none, combining marks none, East Asian
// wide characters and emoji two. Tables are fitted to the terminal by this count, not by length.

/** SGR colour codes and other CSI sequences, and OSC sequences (hyperlinks), ended by BEL or ST. */
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const ESCAPE_AT = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/y;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u;

export function stripAnsi(text: string): string {
  return text.includes("\x1b") ? text.replace(ESCAPES, "") : text;
}

/** Columns one code point takes. */
export function codePointWidth(cp: number): number {
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || ZERO_WIDTH.test(String.fromCodePoint(cp))) return 0;
  return isWide(cp) ? 2 : 1;
}

// The East Asian Wide and Fullwidth blocks, and the emoji blocks terminals draw two columns wide.
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f680 && cp <= 0x1f6ff) ||
    (cp >= 0x1f900 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export function displayWidth(text: string): number {
  // Most cells are plain ASCII: 20,000-row tables must not walk every code point.
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const ch of stripAnsi(text)) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

/**
 * Text cut to at most `width` columns, ending in "…" when cut. Colour codes are kept (they take no
 * room) and a cut one is reset, so a truncated coloured cell does not colour the rest of the line.
 */
export function truncateToWidth(text: string, width: number, ellipsis = "…"): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  const room = width - displayWidth(ellipsis);
  if (room < 0) return ellipsis.slice(0, width);
  let out = "";
  let used = 0;
  let coloured = false;
  for (let i = 0; i < text.length; ) {
    ESCAPE_AT.lastIndex = i;
    const code = ESCAPE_AT.exec(text);
    if (code) {
      out += code[0];
      coloured = true;
      i += code[0].length;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const w = codePointWidth(cp);
    if (used + w > room) break;
    out += String.fromCodePoint(cp);
    used += w;
    i += cp > 0xffff ? 2 : 1;
  }
  return out + ellipsis + (coloured ? "\x1b[0m" : "");
}
