// Text from outside (a receiver's response, a provider's error) printed to a terminal must not
// drive it: an ESC sequence in a response body could retitle the window, move the cursor over
// earlier lines or, on some terminals, write files. Control characters are shown escaped instead.

// C0 controls but tab and newline, DEL, and the C1 range (0x9b is a one-byte CSI on some terminals).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** The text with every control character but \t and \n shown as \xNN (\r as \r). */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => (c === "\r" ? "\\r" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

/**
 * At most `maxBytes` of the text's UTF-8, cut at a character boundary, and how many bytes it had:
 * a person reading a delivery needs the start of a large response, not all of it.
 */
export function headBytes(text: string, maxBytes: number): { head: string; bytes: number; cut: boolean } {
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= maxBytes) return { head: text, bytes: buf.length, cut: false };
  let end = maxBytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // not inside a multi-byte character
  return { head: buf.subarray(0, end).toString("utf8"), bytes: buf.length, cut: true };
}
