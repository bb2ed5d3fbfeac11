/**
 * The Prometheus textfile of `--metrics-file` (node_exporter's textfile collector reads the
 * text exposition format): the metric names with their HELP and TYPE, `formatMetrics` to write
 * samples, `parseMetrics` to read back a file this module wrote. Steps of a format: group the
 * samples by metric in the table's order, then one HELP and one TYPE line and the metric's
 * samples, sorted by their labels so a file rewritten with the same values is the same bytes.
 */
import { usage } from "../errors.ts";

/** Every metric of the file: name → HELP text (all are gauges). */
export const METRICS = {
  snapyard_last_run_timestamp_seconds: "When the command last ended, in Unix time.",
  snapyard_last_success_timestamp_seconds: "When the command last ended with exit code 0.",
  snapyard_duration_seconds: "How long the command's last run took.",
  snapyard_exit_code: "The exit code of the command's last run (0: success).",
  snapyard_targets: "Targets of the command's last run, by state.",
  snapyard_bytes_added: "Payload bytes the command's last run wrote to the store.",
  snapyard_lock_wait_seconds: "How long the command's last run waited for the run lock.",
  snapyard_rollbacks: "Rollbacks in the last run (1: COMMAND failed and was rolled back).",
} as const;

/** A metric's name. */
export type MetricName = keyof typeof METRICS;

/** One sample: a metric, its labels (`command`, `tag`, and `state` for targets) and value. */
export interface Sample {
  name: MetricName;
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** The exposition text of `samples`. */
export function formatMetrics(samples: readonly Sample[]): string {
  const lines: string[] = [];
  for (const [name, help] of Object.entries(METRICS)) {
    const own = samples.filter((s) => s.name === name).map(sampleLine).sort();
    if (own.length === 0) continue;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...own);
  }
  return lines.map((l) => l + "\n").join("");
}

function sampleLine(s: Sample): string {
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${s.name}{${labels.join(",")}} ${formatValue(s.value)}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  return String(v);
}

/** The exposition format's escapes in a label value: backslash, double quote, newline. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

const SAMPLE = /^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)*)\} (\S+)$/;
const LABEL = /([a-z_]+)="((?:[^"\\]|\\.)*)"/g;

/**
 * The samples of `text`, a file `formatMetrics` wrote (`file`: its name, for messages).
 * Comment lines are skipped; HELP and TYPE are the table's.
 * @throws SnapyardError USAGE for a line this module would not have written: the file is
 * someone else's, and is not replaced.
 */
export function parseMetrics(text: string, file: string): Sample[] {
  const out: Sample[] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    const value = m === null ? NaN : parseValue(m[3]!);
    if (m === null || !(m[1]! in METRICS) || value === undefined) {
      throw usage(`Cannot replace metrics "${file}": line ${i + 1} is not snapyard's`);
    }
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[2]!.matchAll(LABEL)) labels[k!] = unescapeLabel(v!);
    out.push({ name: m[1] as MetricName, labels, value });
  }
  return out;
}

function parseValue(s: string): number | undefined {
  if (s === "NaN") return NaN;
  if (s === "+Inf" || s === "-Inf") return s === "+Inf" ? Infinity : -Infinity;
  const n = Number(s);
  return s.trim() === "" || Number.isNaN(n) ? undefined : n;
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
}
