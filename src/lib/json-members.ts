// Where each top-level member's value lies in the text of a JSON object, so that a value can be
// kept byte for byte: JSON.parse and JSON.stringify turn 9007199254740993 into …992, -0.0 into 0
// and 1e400 into null. The text must already have been accepted by JSON.parse (this is a locator,
// not a validator). Only strings need care there: a quote, bracket, comma or colon inside one is
// not structure, and a backslash always escapes exactly the next character (\uXXXX's four hex
// digits are plain characters), so skipping two characters at a backslash is exact.

export interface MemberSpan {
  /** The key, decoded: "d\u0061ta" is "data". */
  key: string;
  /** text.slice(start, end) is the value's exact text, without the whitespace around it. */
  start: number;
  end: number;
}

/** Every top-level member of the JSON object `text`, in the order written, duplicates included. */
export function topLevelMembers(text: string): MemberSpan[] {
  const members: MemberSpan[] = [];
  let i = expect(text, skipSpace(text, 0), "{");
  i = skipSpace(text, i);
  if (text[i] === "}") return members;
  for (;;) {
    if (text[i] !== '"') throw notValidated(i);
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const start = skipSpace(text, expect(text, skipSpace(text, keyEnd), ":"));
    const end = valueEnd(text, start);
    members.push({ key, start, end });
    i = skipSpace(text, end);
    if (text[i] === "}") return members;
    i = skipSpace(text, expect(text, i, ","));
  }
}

/** The index just past the string whose opening quote is at `i`. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92)
      j++; // a backslash: the next character is escaped, whatever it is
    else if (c === 34) return j + 1;
  }
  throw notValidated(i);
}

/** The index just past the value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === "{" || d === "[") depth++;
      else if ((d === "}" || d === "]") && --depth === 0) return j + 1;
    }
    throw notValidated(i);
  }
  // A number, true, false or null: it runs to the next delimiter.
  let j = i;
  while (j < text.length && !",}] \t\n\r".includes(text[j]!)) j++;
  if (j === i) throw notValidated(i);
  return j;
}

/** JSON's whitespace is these four characters and no others. */
function skipSpace(text: string, i: number): number {
  while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  return i;
}

function expect(text: string, i: number, c: string): number {
  if (text[i] !== c) throw notValidated(i);
  return i + 1;
}

function notValidated(at: number): Error {
  return new Error(`topLevelMembers: not a JSON object that JSON.parse accepted (at character ${at})`);
}
