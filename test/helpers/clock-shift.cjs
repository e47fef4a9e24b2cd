// Test-only, never part of intg: preloaded into a spawned bin/intg (NODE_OPTIONS=--require) so the
// process runs TEST_CLOCK_SHIFT_MS ahead of the real clock. The CLI has no clock to inject (and a
// flag or variable that moved it would be a way round every expiry), so end-to-end tests of
// promises measured in minutes move the process's Date instead. performance.now() is untouched.
"use strict";
const shift = Number(process.env.TEST_CLOCK_SHIFT_MS || 0);
if (shift) {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...args);
    }
    static now() {
      return RealDate.now() + shift;
    }
    // Dates made natively (a structured clone from another thread, a driver) are Dates too.
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  globalThis.Date = ShiftedDate;
}
