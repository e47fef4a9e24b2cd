import { enumOption } from "../../cli/flags.js";
import { UsageError } from "../../errors.js";
import { TokenType } from "../../types/enums.js";

// The --type flag of `secrets set` and `secrets list`.

export const TOKEN_TYPES = Object.values(TokenType) as TokenType[];

/** `--type bearer-token`, `--type BEARER_TOKEN`: case and - versus _ do not matter. */
export function parseTokenType(text: string): TokenType {
  const wanted = text.trim().toUpperCase().replace(/-/g, "_");
  const found = TOKEN_TYPES.find((t) => t === wanted);
  if (!found)
    throw new UsageError(
      `Unknown token type "${text}"; nothing was written.`,
      `Use one of: ${TOKEN_TYPES.join(", ")}.`,
      "INVALID_TOKEN_TYPE",
    );
  return found;
}

/** --type, listed in lower case like every enum flag; the refusal keeps its own code and wording. */
export const tokenTypeOption = (description: string) =>
  enumOption("--type <type>", description, TOKEN_TYPES, parseTokenType);
