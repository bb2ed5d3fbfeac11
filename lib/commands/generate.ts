/**
 * `snapyard generate`: writes the man page (`--man DIR`: DIR/snapyard.1) and the bash, zsh and
 * fish completions (`--bash-completion FILE` ...; `-` for stdout), as restic generate does, so a
 * compiled binary can install its own. Each file is rendered (lib/cli/man.ts,
 * lib/cli/completions.ts), then written atomically (one that fails is an error event, exit 3);
 * the summary names what was written. A completion for `-` goes alone to stdout: no summary.
 */
import { fs } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { atomicWriteFile } from "../fs/atomic_write.ts";
import { bashCompletion, fishCompletion, zshCompletion } from "../cli/completions.ts";
import { manPage } from "../cli/man.ts";
import type { Generate } from "../cli/options.ts";
import { reasonOf } from "../errors.ts";
import type { CommandContext, Outcome } from "./context.ts";

/** Each output's renderer, and the file name when the option names a directory. */
const RENDER: Record<keyof Generate, { render: () => string; inDir?: string }> = {
  man: { render: manPage, inDir: "snapyard.1" },
  bash: { render: bashCompletion },
  zsh: { render: zshCompletion },
  fish: { render: fishCompletion },
};

/** Writes every requested file; one that cannot be written is reported (exit 3). */
export function generateCommand(ctx: CommandContext): Promise<Outcome> {
  const files: string[] = [];
  let failed = 0;
  let toStdout = false;
  for (const [key, where] of Object.entries(ctx.options.generate)) {
    const { render, inDir } = RENDER[key as keyof Generate];
    const text = render();
    if (where === "-") {
      fs.writeSync(1, text);
      toStdout = true;
      continue;
    }
    const file = inDir === undefined ? where : posix.join(where, inDir);
    try {
      // No directory fsync: a generated file lost to a power cut is generated again.
      atomicWriteFile(file, text, 0o644, ctx.io);
      files.push(file);
    } catch (e) {
      // One file that cannot be written fails that file; the others are still written.
      ctx.reporter.emit({ event: "error", command: "generate", path: file, reason: reasonOf(e) });
      failed++;
    }
  }
  // Stdout holds a completion to be sourced (`source <(snapyard generate --bash-completion -)`):
  // nothing else may go there.
  if (!toStdout) ctx.reporter.emit({ event: "summary", command: "generate", files, failed });
  return Promise.resolve(failed > 0 ? "PARTIAL" : "OK");
}
