import { parseDbUrl } from "../db/url.js";

/** The value of --db on the command line (`--db <url>` or `--db=<url>`), if given. */
export function dbFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    if (arg === "--db") return argv[i + 1];
    if (arg.startsWith("--db=")) return arg.slice(5);
  }
  return undefined;
}

/**
 * A hint names a command to run next. Run with --db, it must name the same database: without it,
 * `Run: intg db migrate` would migrate the embedded file instead. The URL is shown redacted (a
 * password as ****), as every message shows it: the hint must not print a credential.
 */
export function withDbFlag(text: string, argv: readonly string[], cwd: string): string {
  const given = dbFlag(argv);
  if (given === undefined || !/\bintg [a-z]/.test(text)) return text;
  let shown: string;
  try {
    shown = parseDbUrl(given, "--db", cwd).redacted;
  } catch {
    return text; // an unusable --db already failed with its own message
  }
  return text.replace(/\bintg (?=[a-z])/g, `intg --db ${shellWord(shown)} `);
}

/**
 * `intg <words>` as it runs against the database this invocation used: a `--db` given on the
 * command line is repeated (redacted), an environment variable is inherited by the next command.
 */
export function intgCommand(target: { source: string; redacted: string }, words: string): string {
  return target.source === "--db" ? `intg --db ${shellWord(target.redacted)} ${words}` : `intg ${words}`;
}

/** The text as one word for a POSIX shell: bare when it is plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_\-.,:/@=+%]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
