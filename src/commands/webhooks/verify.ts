import type { Command } from "commander";
import { jsonFields } from "../../cli/json-fields.js";
import { SIGNATURE_VALIDATION_FIELDS } from "../../types/integration/webhook-delivery.fields.js";
import { CredentialError, UsageError } from "../../errors.js";
import type { ContextFactory } from "../../cli/program.js";
import { parseCapturedRequest, RequestParseError } from "../../lib/http-request-parse.js";
import { secretName, verifyRequest } from "../../lib/webhook-verify.js";
import type { WebhookSecurityValidation, WebhookVerificationFailure } from "../../types/integration/webhook.types.js";
import { durationOption } from "../../cli/flags.js";
import { parseTolerance, readRequestInput, readSecretFile } from "./verify-input.js";
import { examples } from "../examples.js";

interface VerifyFlags {
  secretFile: string;
  tolerance: string;
  explain?: boolean;
}

/** One phrase per failure, for the error line; --explain adds the proven cause. */
export const FAILURE_SUMMARY: Record<WebhookVerificationFailure, string> = {
  missing_headers: "signature headers are missing",
  malformed_header: "a signature header is malformed",
  timestamp_too_old: "the timestamp is too old",
  timestamp_too_new: "the timestamp is in the future",
  body_reserialized: "the body is not the one that was signed (re-serialised)",
  secret_key_derivation: "the key was derived from the secret the wrong way",
  signature_encoding: "the signature has the wrong encoding (hex vs base64)",
  rotated_secret: "it was signed with a secret the file does not hold (rotation)",
  wrong_secret: "no secret in the file made this signature",
};

const SCHEMES = { "standard-webhooks": "Standard Webhooks", stripe: "Stripe" } as const;

export function registerVerify(noun: Command, context: ContextFactory): void {
  jsonFields(noun.command("verify [request-file]"), SIGNATURE_VALIDATION_FIELDS)
    .description(
      "Check a captured webhook request's signature (Standard Webhooks or Stripe); exit 0 when valid, 4 when not",
    )
    .requiredOption(
      "--secret-file <file>",
      "the signing secrets, one a line: the current one first, then older ones still accepted",
    )
    .addOption(durationOption("--tolerance <duration>", "how far the signed timestamp may be from now", "5m"))
    .option(
      "--explain",
      "when it fails, say why: re-serialised body, key derivation, hex vs base64, clock skew, rotated secret…",
    )
    .addHelpText(
      "after",
      '\nThe request is read from the file, or stdin when none (or \'-\') is given: HTTP/1.1 text (request line, headers, a\nblank line, the body) or JSON {"headers": {...}, "body": "<raw body>"}. --json prints a WebhookSecurityValidation.',
    )
    .addHelpText(
      "after",
      examples([
        ["Check a captured request's signature", "intg webhooks verify request.http --secret-file ./whsec.txt"],
        [
          "Read the request from stdin and say why it fails",
          "intg webhooks verify --secret-file ./whsec.txt --explain < request.json",
        ],
      ]),
    )
    .action(async (file: string | undefined, flags: VerifyFlags, cmd: Command) => {
      const ctx = context(cmd);
      const toleranceMs = parseTolerance(flags.tolerance);
      const secrets = readSecretFile(flags.secretFile);
      const input = await readRequestInput(ctx, file);
      let request;
      try {
        request = parseCapturedRequest(input);
      } catch (error) {
        if (!(error instanceof RequestParseError)) throw error;
        throw new UsageError(
          `${file && file !== "-" ? file : "stdin"} is not a request: ${error.message}.`,
          'Give HTTP/1.1 text (request line, headers, blank line, body) or JSON {"headers": {...}, "body": "..."}.',
          "INVALID_REQUEST",
        );
      }
      const result = verifyRequest(request, { secrets, now: ctx.now(), toleranceMs, explain: Boolean(flags.explain) });
      if (ctx.out.json) ctx.out.printJson(result);
      if (!result.valid) {
        throw new CredentialError(
          `The signature is not valid: ${FAILURE_SUMMARY[result.failure]}.${result.explanation ? `\n${result.explanation}` : ""}`,
          result.explanation ? undefined : "Run again with --explain to see why.",
          "SIGNATURE_INVALID",
        );
      }
      if (!ctx.out.json) ctx.out.print(describeValid(result));
      for (const warning of result.warnings) ctx.out.warn(warning);
    });
}

function describeValid(r: WebhookSecurityValidation): string {
  const id = r.messageId ? `, id ${r.messageId}` : "";
  return `valid: ${SCHEMES[r.scheme!]} signature${id}, signed at ${r.timestamp}, made with ${secretName(r.secretIndex!)}`;
}
