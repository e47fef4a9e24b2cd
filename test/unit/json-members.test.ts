import { describe, expect, it } from "vitest";
import { topLevelMembers } from "../../src/lib/json-members.js";

// The locator behind `send --batch-file`'s exact bytes: each top-level value's text, found in a
// line JSON.parse accepted, without parsing the value (which would change it).

const values = (text: string) => topLevelMembers(text).map((m) => [m.key, text.slice(m.start, m.end)]);

describe("topLevelMembers", () => {
  it("gives each top-level value's exact text, numbers JSON.parse would change included", () => {
    const text = '{"a":9007199254740993,"b" : -0.0 ,"c":\t1e400\r\n,"d":true,"e":null,"f":-1.5E-7}';
    expect(values(text)).toEqual([
      ["a", "9007199254740993"],
      ["b", "-0.0"],
      ["c", "1e400"],
      ["d", "true"],
      ["e", "null"],
      ["f", "-1.5E-7"],
    ]);
    expect(values(" {} ")).toEqual([]);
    expect(values('{ "a" : [ ] , "b" : { } }')).toEqual([
      ["a", "[ ]"],
      ["b", "{ }"],
    ]);
  });

  it("is not fooled by structure inside strings, escaped quotes and backslashes, or nested keys", () => {
    const text = String.raw`{"s":"}],:{[\"","t":"\\","k\"ey\\":"\u0022}","n":{"data":[1,"]",{"x":"}"}]},"z":"\\\""}`;
    expect(values(text)).toEqual([
      ["s", String.raw`"}],:{[\""`],
      ["t", String.raw`"\\"`],
      ['k"ey\\', String.raw`"\u0022}"`],
      ["n", '{"data":[1,"]",{"x":"}"}]}'],
      ["z", String.raw`"\\\""`],
    ]);
  });

  it("decodes keys and keeps duplicates in the order written", () => {
    const text = '{"d\\u0061ta":1,"data":2,"\\ud83d\\ude00":3}';
    expect(values(text)).toEqual([
      ["data", "1"],
      ["data", "2"],
      ["\u{1f600}", "3"],
    ]);
  });

  it("agrees with JSON.parse on random objects, however they are spaced", () => {
    let seed = 13;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const strings = ["", "data", '"', "\\", "}", "]", ",", ":", '{"a":1}', "\u0000", "é\u2028", '\\"', "\ud83d\ude00"];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? pick([0, 1, 2]) : pick([0, 1, 2, 3, 4]);
      if (kind === 0) return pick([0, -1.5, 1e21, 2 ** 53, true, false, null]);
      if (kind === 1 || kind === 2) return pick(strings);
      if (kind === 3) return Array.from({ length: pick([0, 1, 3]) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: pick([0, 1, 3]) }, () => [pick(strings), value(depth + 1)]));
    };
    for (let n = 0; n < 500; n++) {
      const members = Array.from({ length: pick([1, 2, 5]) }, (_, i) => [`${pick(strings)}${i}`, value(0)] as const);
      const object = Object.fromEntries(members);
      const text = JSON.stringify(object, null, pick([0, 1, "\t", " \r\n"]));
      const spans = topLevelMembers(text);
      expect(spans.map((m) => m.key)).toEqual(Object.keys(JSON.parse(text) as object));
      for (const m of spans) expect(JSON.parse(text.slice(m.start, m.end))).toEqual(object[m.key]);
    }
  });
});
