import { defineConfig } from "vitest/config";

// .ci/run sets INTG_TEST_JSON_REPORT to collect the totals it prints; the command stays `npm test`.
const jsonReport = process.env.INTG_TEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"],
  },
});
