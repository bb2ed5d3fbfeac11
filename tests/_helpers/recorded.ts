/** The sidecar a run at `run` (ms) would write for a file of stat `st`: for the judgement's tests. */
import type { FdStat } from "../../lib/fs/stat.ts";
import { identityOf } from "../../lib/store/identity.ts";
import { buildSidecar, type SchemaChoice, type Sidecar } from "../../lib/store/sidecar.ts";

/** The sidecar of file `st` taken at run `run`, in `schema` (v3: with its identity). */
export function recordedFile(st: FdStat, run: number, schema: SchemaChoice = "v3"): Sidecar {
  return buildSidecar(
    {
      kind: "file",
      mode: st.mode,
      hash: "a".repeat(64),
      size: st.size,
      mtimeMs: st.mtimeMs,
      uid: st.uid,
      gid: st.gid,
      identity: identityOf(st),
    },
    schema,
    run,
    new Date(run),
    "new",
  );
}
