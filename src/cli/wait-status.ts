import { formatDuration } from "../lib/duration.js";
import type { ServiceContext } from "../services/context.js";
import type { Deps, GlobalOptions } from "./deps.js";

// A wait longer than this is shown; a shorter one is over before a person would wonder.
const SHOW_AFTER_MS = 1000;

/**
 * The status line a wait shows on a terminal's stderr (what it waits for, until when), cleared
 * when the wait ends. None off a terminal and none under --quiet: a log is no place for it.
 */
export function waitStatus(deps: Deps, globals: GlobalOptions): ServiceContext["onWait"] {
  if (!deps.io.stderrIsTTY || globals.quiet) return undefined;
  return ({ reason, ms }) => {
    if (ms <= SHOW_AFTER_MS) return undefined;
    const until = new Date(deps.now().getTime() + ms);
    deps.io.stderr.write(
      `\r\x1b[2K${reason} until ${until.toTimeString().slice(0, 8)} (${formatDuration(Math.ceil(ms / 1000) * 1000)})…`,
    );
    return () => deps.io.stderr.write("\r\x1b[2K");
  };
}
