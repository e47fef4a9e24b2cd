import { describe, expect, it } from "vitest";
import { headBytes, printable } from "../../src/lib/printable.js";

describe("printable", () => {
  it("escapes every control character but tab and newline, C1 included", () => {
    expect(printable("a\tb\nc")).toBe("a\tb\nc");
    expect(printable("\u001b[2J\r\u0000\u007f\u009b")).toBe("\\x1b[2J\\r\\x00\\x7f\\x9b");
    expect(printable("é ✓")).toBe("é ✓");
  });
});

describe("headBytes", () => {
  it("keeps short text whole and cuts long text at a character boundary", () => {
    expect(headBytes("abc", 3)).toEqual({ head: "abc", bytes: 3, cut: false });
    expect(headBytes("abé", 3)).toEqual({ head: "ab", bytes: 4, cut: true });
    expect(headBytes("ab✓x", 5)).toEqual({ head: "ab✓", bytes: 6, cut: true });
  });
});
