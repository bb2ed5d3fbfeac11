/**
 * Output for people and for log shippers: where each event (lib/events.ts) goes.
 *
 * `--json`: each event is one JSON object per line on stdout (the summary last, with the
 * output's `schema` version).
 * Otherwise an event becomes its text (lib/cli/event_text.ts): problems go to stderr as
 * `snapyard: <message>`, results to stdout as lines; `--quiet` keeps only errors. A
 * progress line is drawn on stderr only when stderr is a terminal, so cron output stays
 * clean; any other output clears it first. Stdout is buffered and flushed in large
 * writes.
 */
import { fs } from "../fs/sys.ts";
import { type Event, SCHEMA, type SummaryEvent } from "../events.ts";
import { progressText, textOf } from "./event_text.ts";
import { errnoOf } from "../errors.ts";
import { stderrIsTerminal } from "../fs/runtime.ts";

/** How output is shaped. */
export type OutputMode = "human" | "json" | "quiet";

/** Collects and writes a command's output. */
export class Reporter {
  readonly mode: OutputMode;
  #out: string[] = [];
  #outBytes = 0;
  #progressShown = false;
  #lastProgress = 0;
  #tty: boolean | undefined;
  #summary: SummaryEvent | undefined;

  /** `stderrIsTty`: whether stderr is a terminal; asked when first needed when not given. */
  constructor(mode: OutputMode, stderrIsTty?: boolean) {
    this.mode = mode;
    if (stderrIsTty !== undefined || mode !== "human") {
      this.#tty = stderrIsTty === true && mode === "human";
    }
  }

  /** Whether progress is drawn, asked of stderr the first time it matters (human output). */
  get #drawn(): boolean {
    return this.#tty ??= stderrIsTerminal();
  }

  /** The last summary emitted (for `--metrics-file`), if any. */
  get summary(): SummaryEvent | undefined {
    return this.#summary;
  }

  /** Whether a progress line is drawn: stderr is a terminal and the output is for people. */
  get showsProgress(): boolean {
    return this.#drawn;
  }

  /** Shows one event: a JSON line (`--json`), or its text for people. */
  emit(e: Event): void {
    if (e.event === "summary") this.#summary = e;
    if (e.event === "progress") {
      // A terminal that reports no size (0, or none) is taken as 80 columns wide.
      if (this.#drawn) this.#progress(progressText(e, process.stderr.columns || 80));
      return;
    }
    if (this.mode === "json") {
      this.#write(JSON.stringify(e.event === "summary" ? { ...e, schema: SCHEMA } : e));
    } else {
      const t = textOf(e);
      if (t?.to === "error") this.#stderr(`snapyard: ${t.text}`);
      else if (t !== undefined && this.mode === "human") {
        if (t.to === "warn") this.#stderr(`snapyard: ${t.text}`);
        else this.#write(t.text);
      }
    }
    // `run` starts COMMAND next, on the same stdout: what came before must be out first.
    if (e.event === "snapshot") this.flush();
  }

  /** Free text for people (human mode only): the list tables, the demo's notes. */
  line(text: string): void {
    if (this.mode === "human") this.#write(text);
  }

  #write(line: string): void {
    this.#clearProgress();
    this.#out.push(line, "\n");
    this.#outBytes += line.length + 1;
    if (this.#outBytes > 1 << 16) this.flush();
  }

  /** Redraws the progress line (terminal only, at most 10 times a second). */
  #progress(text: string): void {
    if (!this.#drawn) return;
    const now = performance.now();
    if (now - this.#lastProgress < 100) return;
    this.#lastProgress = now;
    fs.writeSync(2, `\r\x1b[K${text}`);
    this.#progressShown = true;
  }

  /** Removes the progress line, if any. */
  #clearProgress(): void {
    if (this.#progressShown) {
      fs.writeSync(2, "\r\x1b[K");
      this.#progressShown = false;
    }
  }

  #stderr(text: string): void {
    this.flush();
    writeAll(2, text + "\n");
  }

  /** Writes buffered stdout (and removes the progress line, if any). */
  flush(): void {
    this.#clearProgress();
    if (this.#out.length === 0) return;
    const s = this.#out.join("");
    this.#out = [];
    this.#outBytes = 0;
    writeAll(1, s);
  }
}

/** How long to sleep when a pipe is full, before trying again. */
const FULL_PIPE_WAIT_MS = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/**
 * Bytes per write: PIPE_BUF, which a pipe takes whole or not at all. Deno's `writeSync`
 * writes all it is given, and when a non-blocking pipe fills part way through it throws
 * EAGAIN without saying how much went out: retried, that part would be written twice.
 */
const CHUNK = 4096;
const ENCODER = new TextEncoder();

function writeAll(fd: number, s: string): void {
  const b = ENCODER.encode(s);
  let off = 0;
  while (off < b.length) {
    try {
      off += fs.writeSync(fd, b, off, Math.min(CHUNK, b.length - off));
    } catch (e) {
      if (errnoOf(e) !== "EAGAIN") throw e;
      // A non-blocking pipe that is full: wait for the reader rather than drop output,
      // asleep (nothing ever notifies `sleeper`), not spinning a core.
      Atomics.wait(sleeper, 0, 0, FULL_PIPE_WAIT_MS);
    }
  }
}
