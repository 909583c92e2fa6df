/**
 * Every string that reaches the report goes through here: names, ids and above all answers,
 * which come from models and may hold markup. Escaped for both text and quoted attribute values;
 * control characters (other than tab and newlines) become U+FFFD, as an HTML parser would make NUL.
 */
export function esc(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The first `max` characters (whole code points), whitespace runs collapsed: an answer's head. */
export function head(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length <= max ? flat : `${points.slice(0, max - 1).join('')}…`;
}

/** Numbers written into SVG attributes: short, fixed, no exponent. */
export function num(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1).replace(/\.0$/, '');
}
