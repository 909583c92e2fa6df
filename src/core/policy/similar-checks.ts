import { formatPath, type PolicyProblem } from '../errors.js';
import type { MatcherInput, PolicyInput, ProviderKind } from './schema.js';
import { didYouMean } from './suggest.js';

type Where = (path: readonly PropertyKey[], key?: string) => number | undefined;

export const BUILTIN_EMBEDDER = 'builtin';

/** Which provider kinds have an embeddings endpoint (`embedder:` must name one of their models). */
export const HAS_EMBEDDINGS: Record<ProviderKind, boolean> = {
  openai: true,
  'openai-compatible': true,
  anthropic: false,
};

/** An examples file: one example per line; blank lines and lines starting with # are skipped. */
export function exampleLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Reads every `examples_file` under a class's condition and puts its lines in `examples`, so that
 * the validated policy (and its cached snapshot) carries the examples themselves.
 */
export function readExamples(
  when: MatcherInput,
  path: PropertyKey[],
  readFile: ((name: string) => string) | undefined,
  where: Where,
  problems: PolicyProblem[],
): void {
  const sim = when.similar_to;
  if (sim?.examples_file !== undefined) {
    const at = [...path, 'similar_to', 'examples_file'];
    const problem = (message: string, hint: string) => problems.push({ line: where(at), path: formatPath(at), message, hint });
    // Reported here; the matcher still compiles (with no examples) so that nothing is reported twice.
    sim.examples = [];
    if (!readFile) {
      problem('examples files cannot be read here', 'list the examples inline with `examples: [...]`');
    } else {
      try {
        sim.examples = exampleLines(readFile(sim.examples_file));
        if (sim.examples.length === 0) problem(`${sim.examples_file} has no examples`, 'write one example prompt per line');
      } catch (err) {
        const code = (err as { code?: string }).code;
        problem(`cannot read ${sim.examples_file}${code ? ` (${code})` : ''}`, 'the path is relative to the policy file; one example prompt per line');
      }
    }
  }
  for (const [key, list] of [['all', when.all], ['any', when.any]] as const) {
    list?.forEach((m, i) => readExamples(m, [...path, key, i], readFile, where, problems));
  }
  if (when.not) readExamples(when.not, [...path, 'not'], readFile, where, problems);
}

/** `embedder:` names `builtin` or a model whose API has embeddings. */
export function checkSimilar(input: PolicyInput, where: Where): PolicyProblem[] {
  const name = input.embedder;
  if (name === undefined || name === BUILTIN_EMBEDDER) return [];
  const at = ['embedder'];
  const model = input.models[name];
  if (!model) {
    const choices = [BUILTIN_EMBEDDER, ...Object.keys(input.models)];
    return [{ line: where(at), path: 'embedder', message: `unknown model "${name}"${didYouMean(name, choices)}`, hint: `name a model with an embeddings endpoint, or \`embedder: builtin\` (no server): ${choices.join(', ')}` }];
  }
  if (!HAS_EMBEDDINGS[model.provider]) {
    const kinds = Object.entries(HAS_EMBEDDINGS).filter(([, yes]) => yes).map(([k]) => k);
    return [{ line: where(at), path: 'embedder', message: `${name} is a ${model.provider} model, and ${model.provider} has no embeddings endpoint`, hint: `use a model of provider ${kinds.join(' or ')}, or \`embedder: builtin\`` }];
  }
  return [];
}

/** Each test names a prompt (or messages) and exactly one of a class and a route that exist. */
export function checkTests(input: PolicyInput, where: Where): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const classes = (input.classes ?? []).map((c) => c.name);
  const aliases = Object.keys(input.models);
  (input.tests ?? []).forEach((t, i) => {
    const at = ['tests', i];
    const add = (path: PropertyKey[], message: string, hint: string) => problems.push({ line: where(path), path: formatPath(path), message, hint });
    if ((t.prompt === undefined) === (t.messages === undefined)) add(at, 'a test needs a prompt (or messages, as in input files)', 'for example `{ prompt: "Reset my password", class: support }`');
    if ((t.class === undefined) === (t.route === undefined)) add(at, 'a test expects either a class or a route', 'add `class: NAME` or `route: ALIAS`');
    if (t.class !== undefined && !classes.includes(t.class)) {
      add([...at, 'class'], `unknown class "${t.class}"${didYouMean(t.class, classes)}`, classes.length ? `classes: ${classes.join(', ')}` : 'the policy has no classes: expect a route instead');
    }
    if (t.route !== undefined && !aliases.includes(t.route)) add([...at, 'route'], `unknown model "${t.route}"${didYouMean(t.route, aliases)}`, `route must name one of the models: ${aliases.join(', ')}`);
  });
  return problems;
}
