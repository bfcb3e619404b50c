/*
 * Colour for verdicts, only where a person reads them: on a terminal, unless NO_COLOR is set to
 * anything non-empty (https://no-color.org). Pipes, files and CI logs get plain text, so tests and
 * scripts never see escape codes. Only the verdict is coloured, never the data around it.
 */

export interface Paint {
  readonly bad: (text: string) => string;
  readonly good: (text: string) => string;
}

export function paintFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Paint {
  const on = stream.isTTY === true && (env.NO_COLOR ?? '') === '';
  const wrap = (code: number) => (text: string) => (on ? `\u001b[${code}m${text}\u001b[39m` : text);
  return { bad: wrap(31), good: wrap(32) };
}

/** Colour the verdict lines of a command's text output: violations red, a clean verdict green. */
export function paintVerdicts(text: string, paint: Paint): string {
  return text
    .split('\n')
    .map((line) => {
      if (/^(VIOLATION|violation |still failing$|difference found|  <-- VIOLATED)/.test(line) || /<-- VIOLATED/.test(line)) return paint.bad(line);
      if (/^(no violation|holds now$|check: no violation$)/.test(line)) return paint.good(line);
      return line;
    })
    .join('\n');
}
