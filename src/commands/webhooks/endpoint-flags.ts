import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { parseHeaders } from "./endpoint-header-flags.js";
import { durationOption, enumOption, rateLimitOption } from "../../cli/flags.js";
import { collect, parseDurationFlag, parseEnum, parseIntFlag, parseRateFlag } from "../../cli/parse.js";
import { parseOutboundUrl } from "../../lib/url-guard.js";
import { DeliveryChannel, type RetentionPolicy } from "../../types/enums.js";
import { RETENTION_FLAG } from "../../services/webhooks/retention.js";
import type { WebhookEventTransformation } from "../../types/integration/webhook.types.js";
import { DEFAULT_MAX_IN_FLIGHT, validatePattern, type EndpointInput } from "../../services/webhooks/endpoint-input.js";

export { parseHeaders, readHeaderFlags } from "./endpoint-header-flags.js";

export interface EndpointFlags {
  url?: string;
  events?: string;
  description?: string;
  channel?: string;
  timeout?: string;
  retrySchedule?: string;
  rateLimit?: string;
  maxInFlight?: string;
  header: string[];
  /** A file of `Name: value` lines, or "-" for stdin: values that must not appear in `ps`. */
  headerFile?: string;
  headersStdin?: boolean;
  transform?: string;
  retention?: string;
  transformFile?: string;
  /** A boolean on create; on update also the text "true" or "false". */
  allowPrivateNetwork?: boolean | string;
}

/** The flags `endpoints create` and `endpoints update` share. */
export function addEndpointFlags(cmd: Command, update: boolean): Command {
  const replaces = update ? "; replaces all of them" : "";
  return cmd
    .option(
      "--events <patterns>",
      "comma-separated event types, * for exactly one segment (invoice.*); ** or empty: every type",
    )
    .option("--description <text>", "what the endpoint is for")
    .addOption(
      enumOption(
        "--channel <channel>",
        "http, or slack / discord: the event is sent as a chat message to an incoming-webhook URL",
        DeliveryChannel,
      ),
    )
    .option(
      "--transform <jsonata>",
      `a JSONata expression over the event envelope {type, timestamp, data}; its result is sent (and signed)${update ? "; 'none' to remove it" : ""}`,
    )
    .option("--transform-file <file>", "the JSONata expression, from a file")
    .addOption(
      enumOption(
        "--retention <policy>",
        `how long \`webhooks prune\` keeps deliveries${update ? "" : " (default 30d)"}`,
        ["7d", "30d", "90d", "forever"],
        (text) => (parseRetention(text), text), // days_30 and the other enum names are taken too
      ),
    )
    .addOption(
      durationOption(
        "--timeout <duration>",
        `how long one attempt may take, 1s to 2m${update ? "" : " (default 15s)"}`,
      ),
    )
    .option(
      "--retry-schedule <d,...>",
      `delays between attempts, e.g. 5s,5m,30m,2h,5h,10h,10h (the first attempt is immediate)${update ? "; 'default' for the built-in" : "; default Svix's"}`,
    )
    .addOption(
      rateLimitOption(`the most deliveries sent${update ? " ('none' lifts it)" : ""}`, {
        unit: "second",
        max: RATE_MAX,
        keyword: update ? "none" : undefined,
      }),
    )
    .option(
      "--max-in-flight <n>",
      `requests one worker sends it at once, 1 to ${IN_FLIGHT_MAX}, so a slow endpoint cannot take every lane${update ? "" : ` (default ${DEFAULT_MAX_IN_FLIGHT})`}`,
    )
    .option(
      "--header <name:value>",
      `a non-secret extra header sent with every delivery, repeatable${replaces}`,
      collect,
      [],
    )
    .option("--header-file <path>", `extra headers, one "Name: value" a line (- for stdin): for credentials${replaces}`)
    .option("--headers-stdin", "read the --header-file lines from stdin")
    .option(
      update ? "--allow-private-network [bool]" : "--allow-private-network",
      "may reach private, loopback and link-local addresses",
    );
}

export function parseSchedule(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ""))
    throw new UsageError(
      `--retry-schedule: "${text}" is not a list of durations.`,
      "Write it like 5s,5m,30m,2h.",
      "INVALID_SCHEDULE",
    );
  const delays = parts.map((p) => {
    const ms = parseDurationFlag("--retry-schedule", p);
    if (ms > 7 * 86_400_000)
      throw new UsageError(`--retry-schedule: ${p} is longer than a week.`, undefined, "INVALID_SCHEDULE");
    return ms;
  });
  // The first attempt is immediate; a schedule written with its leading 0 means the same.
  const schedule = delays[0] === 0 ? delays : [0, ...delays];
  if (schedule.length > 50)
    throw new UsageError("--retry-schedule: at most 50 attempts.", undefined, "INVALID_SCHEDULE");
  return schedule;
}

const RATE_MAX = 100_000;
const IN_FLIGHT_MAX = 1024;

const parseMaxInFlight = (text: string): number => parseIntFlag("--max-in-flight", text, 1, IN_FLIGHT_MAX);

/** Deliveries per second: 50/s, 3000/m, or a bare 50. */
export const parseRate = (text: string): number => parseRateFlag("--rate-limit", text, "second", RATE_MAX);

export function parseTimeout(text: string): number {
  const ms = parseDurationFlag("--timeout", text);
  if (ms < 1000 || ms > 120_000)
    throw new UsageError(`--timeout: ${text} is outside 1s to 2m.`, undefined, "INVALID_TIMEOUT");
  return ms;
}

export function parseEvents(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .map(validatePattern),
    ),
  ];
}

export function parseChannel(text: string): DeliveryChannel {
  const channel = parseEnum("--channel", text, DeliveryChannel);
  return channel;
}

function parseRetention(text: string): RetentionPolicy {
  const policy = RETENTION_FLAG[text.trim().toLowerCase()];
  if (!policy)
    throw new UsageError(`--retention: "${text}" is not a retention policy.`, "Use 7d, 30d, 90d or forever.");
  return policy;
}

function readExpression(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(
      `--transform-file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
}

/** `--transform` / `--transform-file`: undefined when neither is given, null for 'none'. */
export function parseTransform(
  flags: EndpointFlags,
  readFile: (path: string) => string,
): WebhookEventTransformation | null | undefined {
  if (flags.transform !== undefined && flags.transformFile !== undefined)
    throw new UsageError("Give --transform or --transform-file, not both.");
  const expression = flags.transformFile !== undefined ? readFile(flags.transformFile) : flags.transform;
  if (expression === undefined) return undefined;
  if (flags.transform === "none") return null;
  if (expression.trim() === "") throw new UsageError("--transform: the expression is empty.");
  return { kind: "jsonata", expression: expression.trim() };
}

type Headers = Record<string, string> | null | undefined;

/**
 * Every flag checked, with no I/O; the URL's addresses are checked by the service. `headers` are
 * read beforehand by readHeaderFlags (files, stdin); by default the --header flags alone.
 */
export function toCreateInput(flags: EndpointFlags, headers: Headers = parseHeaders(flags.header)): EndpointInput {
  if (!flags.url) throw new UsageError("--url is required.");
  parseOutboundUrl(flags.url);
  return {
    url: flags.url,
    description: flags.description?.trim() || null,
    channel: flags.channel ? parseChannel(flags.channel) : "HTTP",
    eventFilter: flags.events ? parseEvents(flags.events) : [],
    headers: headers ?? null,
    timeoutMs: flags.timeout ? parseTimeout(flags.timeout) : 15_000,
    retryScheduleMs: flags.retrySchedule ? parseSchedule(flags.retrySchedule) : null,
    rateLimitPerSecond: flags.rateLimit ? parseRate(flags.rateLimit) : null,
    maxInFlight: flags.maxInFlight ? parseMaxInFlight(flags.maxInFlight) : undefined,
    allowPrivateNetwork: flags.allowPrivateNetwork === true,
    transformation: parseTransform(flags, readExpression),
    retentionPolicy: flags.retention === undefined ? undefined : parseRetention(flags.retention),
  };
}

/** Only the flags given; an empty result is a usage error (nothing to change). */
export function toUpdateInput(
  flags: EndpointFlags,
  headers: Headers = parseHeaders(flags.header) ?? undefined,
): Partial<EndpointInput> {
  const c: Partial<EndpointInput> = {};
  if (flags.url !== undefined) {
    parseOutboundUrl(flags.url); // scheme now; its addresses are the service's to check
    c.url = flags.url;
  }
  if (flags.description !== undefined) c.description = flags.description.trim() || null;
  if (flags.channel !== undefined) c.channel = parseChannel(flags.channel);
  if (flags.events !== undefined) c.eventFilter = parseEvents(flags.events);
  if (headers !== undefined) c.headers = headers;
  if (flags.timeout !== undefined) c.timeoutMs = parseTimeout(flags.timeout);
  if (flags.retrySchedule !== undefined)
    c.retryScheduleMs = flags.retrySchedule === "default" ? null : parseSchedule(flags.retrySchedule);
  if (flags.rateLimit !== undefined)
    c.rateLimitPerSecond = flags.rateLimit === "none" ? null : parseRate(flags.rateLimit);
  if (flags.maxInFlight !== undefined) c.maxInFlight = parseMaxInFlight(flags.maxInFlight);
  if (flags.allowPrivateNetwork !== undefined) {
    const v = flags.allowPrivateNetwork;
    if (v !== true && v !== "true" && v !== "false")
      throw new UsageError(`--allow-private-network: "${String(v)}" is not true or false.`);
    c.allowPrivateNetwork = v !== "false";
  }
  if (flags.retention !== undefined) c.retentionPolicy = parseRetention(flags.retention);
  const transformation = parseTransform(flags, readExpression);
  if (transformation !== undefined) c.transformation = transformation;
  if (Object.keys(c).length === 0)
    throw new UsageError("Nothing to change: give at least one flag.", "See: intg webhooks endpoints update --help");
  return c;
}
