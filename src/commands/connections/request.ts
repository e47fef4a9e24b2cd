import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { API_RESPONSE_FIELDS } from "../../types/integration/api.fields.js";
import { CredentialError, IntgError, UsageError } from "../../errors.js";
import { durationOption } from "../../cli/flags.js";
import { collect, parseDurationFlag } from "../../cli/parse.js";
import type { ContextFactory } from "../../cli/program.js";
import { readInputFile } from "../../cli/read-file.js";
import { examples } from "../examples.js";

interface RequestFlags {
  data?: string;
  header: string[];
  timeout: string;
}

function parseHeaders(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of values) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new UsageError(`--header: "${h}" is not name:value.`);
    out[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  return out;
}

export function registerRequest(connections: Command, context: ContextFactory): void {
  jsonFields(connections.command("request <id> <method> <path>"), API_RESPONSE_FIELDS)
    .description("Send an authenticated request through a connection and print the answer (like gh api)")
    .option("-d, --data <body>", "the request body: text, @file, or - for stdin")
    .option("-H, --header <name:value>", "an extra header (repeatable)", collect, [])
    .addOption(durationOption("--timeout <duration>", "how long the provider has to answer", "30s"))
    .addHelpText(
      "after",
      [
        "",
        "The connection's credential is applied as its provider's auth type says; its rate limit is",
        "enforced and a 429 with Retry-After is waited out. Each attempt is logged without credentials.",
      ].join("\n"),
    )
    .addHelpText(
      "after",
      examples([
        ["Read a resource through a connection", "intg connections request conn_01JD8T6B9C GET /v1/balance"],
        [
          "Send a JSON body",
          `intg connections request conn_01JD8T6B9C POST /v1/customers --data '{"email":"a@example.com"}'`,
        ],
        [
          "Send a body read from a file, with an extra header",
          "intg connections request conn_01JD8T6B9C PUT /v1/items/42 --data @item.json -H 'Idempotency-Key: 42-v2'",
        ],
      ]),
    )
    .action(async (id: string, method: string, path: string, flags: RequestFlags, cmd: Command) => {
      const ctx = context(cmd);
      if (!/^[A-Za-z]{1,16}$/.test(method)) throw new UsageError(`"${method}" is not an HTTP method.`);
      if (!path.startsWith("/"))
        throw new UsageError(`The path must start with /, relative to the provider's base URL: "${path}".`);
      const headers = parseHeaders(flags.header);
      const timeoutMs = parseDurationFlag("--timeout", flags.timeout);
      let body: string | undefined;
      if (flags.data === "-") {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.deps.io.stdin)
          chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
        body = Buffer.concat(chunks).toString("utf8");
      } else body = flags.data?.startsWith("@") ? readInputFile(flags.data.slice(1)) : flags.data;
      if (body !== undefined && !headers["content-type"])
        headers["content-type"] = isJson(body) ? "application/json" : "text/plain";
      const { requestThrough } = await import("../../services/connections/request.js");
      const res = await requestThrough(await ctx.services(), id, {
        method,
        path,
        headers,
        body,
        timeoutMs,
        signal: ctx.deps.signal,
      });
      if (ctx.out.json) ctx.out.printJson(res);
      else {
        ctx.out.info(`${res.status} ${res.method} ${res.url} (${res.latencyMs} ms)`);
        ctx.out.print(typeof res.body === "string" ? res.body : JSON.stringify(res.body, null, 2));
      }
      if (res.status === 401 || res.status === 403)
        throw new CredentialError(
          `The provider refused the connection's credential (${res.status}).`,
          `Replace it with: intg connections set-credentials ${id}`,
        );
      if (res.status >= 400) throw new IntgError("HTTP_ERROR", `The provider answered ${res.status}.`);
    });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
