import { parseDocument } from 'yaml';

export interface LearnedRouter {
  /** `cascade`: cheap first, escalate below the threshold; `prompt`: a class routes to the cheap model before any call. */
  kind: 'prompt' | 'cascade';
  cheap: string;
  strong: string;
  /** The scorer file, relative to the policy. */
  scorerFile: string;
  threshold: number;
  /** The comment at the top: what it was trained on, when, the figures. */
  comment: string;
}

/**
 * The starting policy's text with the learned router deciding every prompt (it was trained on
 * every prompt, so the policy's own classes go). A cascade becomes the default route: cheap first,
 * escalate when the score is below the threshold. A prompt router becomes the one class, sending
 * prompts that score at least the threshold to the cheap model, the rest to the strong one by
 * default. Everything else (models, prices, baseline, the user's own cascades) is kept as written.
 */
export function learnedPolicyText(source: string, learned: LearnedRouter): string {
  const doc = parseDocument(source);
  const score = { score: { file: learned.scorerFile, threshold: learned.threshold } };
  if (learned.kind === 'prompt') {
    doc.set('classes', doc.createNode([{ name: 'learned', description: 'frugal train: the cheap model is good enough', when: score, route: learned.cheap }]));
    doc.set('default', learned.strong);
    doc.commentBefore = learned.comment.split('\n').map((l) => ` ${l}`).join('\n');
    return doc.toString({ lineWidth: 0 });
  }
  const existing = doc.getIn(['cascades']) as { has?: (k: string) => boolean } | undefined;
  let name = 'learned';
  for (let i = 2; existing?.has?.(name); i++) name = `learned_${i}`;
  doc.delete('classes');
  doc.set('default', name);
  if (!doc.has('cascades')) doc.set('cascades', doc.createNode({}));
  doc.setIn(['cascades', name], doc.createNode({ try: [learned.cheap, learned.strong], accept: score }));
  doc.commentBefore = learned.comment.split('\n').map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
