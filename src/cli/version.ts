import pkg from "../../package.json" with { type: "json" };

// Inlined by the bundler at build time: no file read at start-up.
export const VERSION: string = pkg.version;
