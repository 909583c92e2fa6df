import { parseDocument } from 'yaml';

export interface LearnedCascade {
  cheap: string;
  strong: string;
  /** The scorer file, relative to the policy. */
  scorerFile: string;
  threshold: number;
  /** The comment at the top: what it was trained on, when, the figures. */
  comment: string;
}

/**
 * The starting policy's text with a learned cascade as its default route: cheap first, escalate
 * when the scorer's score is below the threshold. Its classes go: the learned router was trained
 * on every prompt, so it decides every prompt. Everything else (models, prices, baseline, the
 * user's own cascades) is kept as written.
 */
export function learnedPolicyText(source: string, learned: LearnedCascade): string {
  const doc = parseDocument(source);
  const existing = doc.getIn(['cascades']) as { has?: (k: string) => boolean } | undefined;
  let name = 'learned';
  for (let i = 2; existing?.has?.(name); i++) name = `learned_${i}`;
  doc.delete('classes');
  doc.set('default', name);
  if (!doc.has('cascades')) doc.set('cascades', doc.createNode({}));
  doc.setIn(['cascades', name], doc.createNode({ try: [learned.cheap, learned.strong], accept: { score: { file: learned.scorerFile, threshold: learned.threshold } } }));
  doc.commentBefore = learned.comment.split('\n').map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}
