/*
 * What a command found, as CI tools read it: test cases with failures, each failure pointing at a
 * file and line when it has one and carrying the command that reproduces it. Two renderings:
 * JUnit XML (one <testsuite>, a <testcase> each, <failure> with the details) and GitHub Actions
 * workflow commands (`::error file=F,line=L,title=T::message`, one per failure, on stdout).
 */

export const REPORTERS = ['junit', 'github'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export interface CiFailure {
  /** One line: the invariant or field and what happened. */
  readonly message: string;
  /** The file to look at (a counterexample, a scenario) and the line of the step, when known. */
  readonly file?: string;
  readonly line?: number;
  /** The command line that reruns this failure. */
  readonly rerun: string;
}

export interface CiCase {
  readonly name: string;
  readonly failures: readonly CiFailure[];
  /** What passed, for readers of the XML (counts of checks). */
  readonly detail?: string;
  /** Why nothing was checked (an invariant no case exercised): JUnit's <skipped>, never a pass. */
  readonly skipped?: string;
}

export interface CiReport {
  /** "colosim fuzz seed 1", "colosim run FILE", ... */
  readonly suite: string;
  /** colosim.fuzz, colosim.run, colosim.diff: the JUnit classname of every case. */
  readonly classname: string;
  readonly cases: readonly CiCase[];
  readonly timeMs?: number;
}

export function junitXml(report: CiReport): string {
  const failures = report.cases.filter((c) => c.failures.length > 0).length;
  const skipped = report.cases.filter((c) => c.failures.length === 0 && c.skipped !== undefined).length;
  const time = ((report.timeMs ?? 0) / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="colosim" tests="${report.cases.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xml(report.suite)}" tests="${report.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">`,
  ];
  for (const c of report.cases) lines.push(...junitCase(report.classname, c));
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

function junitCase(classname: string, c: CiCase): string[] {
  const open = `    <testcase classname="${xml(classname)}" name="${xml(c.name)}"`;
  if (c.failures.length === 0) {
    const body = [...(c.skipped === undefined ? [] : [`      <skipped message="${xml(c.skipped)}"/>`]), ...(c.detail === undefined ? [] : [`      <system-out>${xml(c.detail)}</system-out>`])];
    return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
  }
  const details = c.failures.map((f) => `${f.message}${f.file === undefined ? '' : `\n  at ${f.file}${f.line === undefined ? '' : `:${f.line}`}`}\n  rerun: ${f.rerun}`);
  return [`${open}>`, `      <failure message="${xml(c.failures[0]!.message)}" type="violation">${xml(details.join('\n'))}</failure>`, '    </testcase>'];
}

/** One `::error` workflow command per failure (GitHub shows each on the file and line). */
export function githubAnnotations(report: CiReport): string {
  const lines: string[] = [];
  for (const c of report.cases) {
    for (const f of c.failures) {
      const where = [f.file === undefined ? '' : `file=${property(f.file)}`, f.line === undefined ? '' : `line=${f.line}`, `title=${property(`${report.suite}: ${c.name}`)}`];
      lines.push(`::error ${where.filter((w) => w !== '').join(',')}::${data(`${f.message}\nrerun: ${f.rerun}`)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** GitHub's escaping of a workflow command's message. */
function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property values. */
function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
