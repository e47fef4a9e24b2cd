import type { Command } from "commander";
import type { ContextFactory } from "../../cli/program.js";
import { registerExport } from "./export.js";
import { registerHistory } from "./history.js";
import { registerImport } from "./import.js";
import { registerLink } from "./link.js";
import { registerList } from "./list.js";
import { registerLookup } from "./lookup.js";
import { registerMappings } from "./mappings/index.js";
import { registerMetrics } from "./metrics.js";
import { registerShare } from "./share/index.js";
import { registerShow } from "./show.js";
import { registerTransform } from "./transform.js";
import { registerUnlink } from "./unlink.js";
import { examples } from "../examples.js";

export function registerRefs(refs: Command, context: ContextFactory): void {
  refs.addHelpText(
    "after",
    examples([
      [
        "Tie user 42 to contact 901 in a connection",
        "intg refs link --entity user:42 --connection conn_01JD8T6B9C --external contact:901",
      ],
      ["Every provider record of one user", "intg refs lookup --entity user:42"],
      ["Import references from a CSV file", "intg refs import refs.csv --connection conn_01JD8T6B9C"],
      ["Export every reference as NDJSON", "intg refs export --out refs.ndjson"],
    ]),
  );
  registerLink(refs, context);
  registerUnlink(refs, context);
  registerList(refs, context);
  registerShow(refs, context);
  registerLookup(refs, context);
  registerHistory(refs, context);
  registerImport(refs, context);
  registerExport(refs, context);
  registerMappings(refs, context);
  registerTransform(refs, context);
  registerMetrics(refs, context);
  registerShare(refs, context);
}
