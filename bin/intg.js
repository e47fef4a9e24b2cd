#!/usr/bin/env node
// CommonJS (bin/package.json says so): an ES module entry makes Node start its ESM loader and read
// the file through the async fs, ~10 ms on every command before intg runs at all.
"use strict";
require("../dist/intg.cjs");
