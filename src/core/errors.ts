/**
 * A mistake the user can fix: bad configuration, a missing file, a bad flag. Caught once in
 * cli.ts, printed without a stack trace, and mapped to an exit code (2: nothing was sent).
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export interface PolicyProblem {
  line?: number | undefined;
  /** Key path such as `classes[2].route`; empty for the document as a whole. */
  path: string;
  message: string;
  hint?: string | undefined;
}

export class PolicyError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
  ) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'PolicyError';
  }
}

export function formatProblem(file: string, p: PolicyProblem): string {
  const where = p.line === undefined ? file : `${file}:${p.line}`;
  const head = p.path ? `${where} ${p.path}: ${p.message}` : `${where}: ${p.message}`;
  return p.hint ? `${head}\n  hint: ${p.hint}` : head;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
