import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/core/quality/compare-types.js';
import { renderHtml } from '../../src/view/compare/html.js';
import { COMPARE_REPORT, withoutQuality } from '../fixtures/compare-report.js';
import { needTool, use } from '../helpers/tool.js';

const OPTIONS = { generatedAt: '2026-11-28 09:30 UTC' };
const XSS = '<script>alert(1)</script>';

/** The fixture, with the worst a model or a user could put in the strings the report shows. */
function hostile(): CompareReport {
  const report = structuredClone(COMPARE_REPORT);
  report.policies[0]!.name = 'cheap-first <img src="http://example.invalid/x.png" onerror="alert(2)">';
  report.regressions.push({
    policy: 'balanced',
    id: `q"'><b>7`,
    class: 'code',
    model: 'openai/gpt-5.4-mini',
    expected: '42',
    answer: `Sure! ${XSS} The answer is <style>body{display:none}</style> 41 & not 42.`,
  });
  return report;
}

const VOID = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'col', 'wbr', 'source', 'area', 'base', 'embed', 'track']);

/**
 * A strict reading of the markup the report is meant to have: every element closed in order
 * (void elements and self-closed SVG excepted), no stray "<" in text. Returns the problems.
 */
function markupProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/^<!doctype html>\s*/i, '').replace(/<style>[^<]*<\/style>/, '<style></style>');
  const tag = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"<>]*")?)*)\s*(\/?)>/gy;
  for (let i = 0; i < body.length; ) {
    const lt = body.indexOf('<', i);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (!m) {
      problems.push(`not a tag at ${lt}: ${body.slice(lt, lt + 40)}`);
      i = lt + 1;
      continue;
    }
    const [, closing, name, , selfClosed] = m;
    const el = name!.toLowerCase();
    if (closing) {
      const open = stack.pop();
      if (open !== el) problems.push(`</${el}> closes <${open}> at ${lt}`);
    } else if (!VOID.has(el) && !selfClosed) stack.push(el);
    i = tag.lastIndex;
  }
  if (stack.length) problems.push(`never closed: ${stack.join(' > ')}`);
  return problems;
}

function table(html: string, id: string): string {
  const m = new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`).exec(html);
  if (!m) throw new Error(`no table #${id}`);
  return m[1]!;
}

function rows(html: string, id: string): { head: number; body: number } {
  const t = table(html, id);
  const count = (part: string): number => (new RegExp(`<${part}>([\\s\\S]*?)</${part}>`).exec(t)?.[1]?.match(/<tr[\s>]/g) ?? []).length;
  return { head: count('thead'), body: count('tbody') };
}

describe('renderHtml', () => {
  const html = renderHtml(COMPARE_REPORT, OPTIONS);

  it('is one well-formed document with the policies, references and regressions tables', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(markupProblems(html)).toEqual([]);
    expect(rows(html, 'policies')).toEqual({ head: 1, body: 3 });
    expect(rows(html, 'references')).toEqual({ head: 1, body: 7 });
    expect(rows(html, 'regressions')).toEqual({ head: 1, body: 4 });
    expect(html.match(/<svg /g)).toHaveLength(1);
  });

  it('needs nothing from outside: no script, no URL to fetch, and a policy that forbids both', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(|\bsrc=|\bhref=/i);
    expect(html.replace('xmlns="http://www.w3.org/2000/svg"', '')).not.toMatch(/https?:|\/\//);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;">`);
  });

  it('shows the figures of each policy with the one money formatter, and marks the best', () => {
    const best = /<tr class="best">([\s\S]*?)<\/tr>/.exec(table(html, 'policies'))?.[1] ?? '';
    expect(best).toContain('code-to-flagship <span class="badge">best</span>');
    expect(best).toContain('<td class="num">$1.83</td><td class="num">$4.00</td><td class="num">$2.17 (54.2%)</td>');
    expect(best).toContain('<td class="num">89.0% (83.9–92.6%)</td><td class="num">97.8%</td><td class="num">0</td>');
    expect(best).toContain('<li><span class="model">anthropic/claude-haiku-4-5</span> <span class="n">100</span></li>');
    expect(table(html, 'references')).toContain('<td class="num">$0.8000</td>');
    expect(table(html, 'references')).toContain('<span class="model">openai-compatible/llama3.2:3b</span> <span class="n">60</span>');
    expect(html).toContain('<strong>Best: code-to-flagship</strong>: saves $2.17 (54.2%) against the baseline and keeps 97.8% of its quality.');
    expect(html).toContain('<dd>live: each distinct (model, prompt) pair was sent once and shared by every policy</dd>');
    expect(html).toContain('Generated by frugal at 2026-11-28 09:30 UTC.');
  });

  it('draws the chart of the terminal: axes, a labelled point per row, the random split, the best policy', () => {
    const svg = /<svg [\s\S]*<\/svg>/.exec(html)?.[0] ?? '';
    for (const label of ['$0.00', '$1.00', '$4.00', '55%', '95%', 'spend (USD)', 'accuracy']) expect(svg).toContain(`>${label}</text>`);
    expect(svg.match(/<g class="point"/g)).toHaveLength(10);
    for (const row of [...COMPARE_REPORT.policies, ...COMPARE_REPORT.references]) expect(svg).toContain(`data-name="${row.name}"`);
    expect(svg).toContain('>code-to-flagship ★ best</text>');
    expect(svg).toMatch(/<circle class="pt policy best" /);
    // llama ($0, 55%) at the bottom left corner of the plot, opus ($4.00, 91%) on the right edge, 9/10 up the 55–95% axis.
    expect(svg).toContain('<line class="random-line" x1="72" y1="456" x2="856" y2="67.2">');
  });

  it('escapes every string from users and models', () => {
    const page = renderHtml(hostile(), { ...OPTIONS, title: 'compare </title><script>x()</script>' });
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<style>body');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('<td class="id">q&quot;&#39;&gt;&lt;b&gt;7</td>');
    expect(page).toContain('data-name="cheap-first &lt;img src=&quot;http://example.invalid/x.png&quot; onerror=&quot;alert(2)&quot;&gt;"');
    expect(page).toContain('<title>compare &lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;</title>');
    expect(markupProblems(page)).toEqual([]);
    expect(rows(page, 'regressions')).toEqual({ head: 1, body: 5 });
  });

  it('shows spend bars and says quality is unknown when nothing was graded', () => {
    const page = renderHtml(withoutQuality(COMPARE_REPORT), OPTIONS);
    expect(markupProblems(page)).toEqual([]);
    expect(page).toContain('<strong>No best policy</strong>: no record carries an expected answer, so quality was not measured and no policy is named best.');
    expect(page.match(/<rect class="bar /g)).toHaveLength(10);
    expect(page).not.toContain('class="random-line"');
    expect(page).toContain('None to show: nothing was graded.');
    expect(rows(page, 'policies')).toEqual({ head: 1, body: 3 });
    expect(table(page, 'policies')).toContain('<td class="num">—</td><td class="num">—</td>');
  });
});

// In CI (.ci/run installs Chromium) a missing browser fails the render tests; elsewhere they are skipped, with a note.
const chromium = needTool('chromium', 'apt-get install chromium');

describe('the HTML report in headless Chromium', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'frugal-html-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Loads the page in a Chromium of its own; the two tests below do so at once (most of a load is waiting). */
  function load(browser: string, name: string, html: string): Promise<{ status: number | null; dom: string; stderr: string; url: string }> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const url = pathToFileURL(file).href;
    const profile = mkdtempSync(join(dir, 'profile-'));
    const child = spawn(
      browser,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        // Logs each file:// load: the report may load itself and nothing else.
        '--vmodule=file_url_loader_factory=1',
        '--dump-dom',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    let dom = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (dom += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, dom, stderr, url }));
    });
  }

  /**
   * At --v=0 Chromium logs the page's console as "CONSOLE" lines: script errors, and, since the
   * report's policy forbids every fetch and script, any attempt to load something. Failed network
   * loads are otherwise silent. The D-Bus errors a container prints are not about the page.
   */
  function pageProblems(stderr: string, url: string): string[] {
    return stderr
      .split('\n')
      .filter((l) => /:CONSOLE[:(]/.test(l) || (l.includes('FileURLLoader::Start:') && !l.trimEnd().endsWith(url)));
  }

  it.concurrent('renders the report without errors, loading nothing but the file', async ({ expect, skip }) => {
    const { status, dom, stderr, url } = await load(use(chromium, skip), 'report.html', renderHtml(hostile(), OPTIONS));
    expect(status, stderr).toBe(0);
    expect(pageProblems(stderr, url)).toEqual([]);
    expect(stderr).toContain(`FileURLLoader::Start: ${url}`);
    expect(dom).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    for (const name of ['balanced', 'code-to-flagship', 'baseline only (anthropic/claude-opus-5-5)', 'random, as cheap-first']) expect(dom).toContain(`>${name}<`);
    expect(dom).toContain('cheap-first &lt;img src="http://example.invalid/x.png" onerror="alert(2)"&gt;');
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(dom).not.toMatch(/<script|<img/);
    // Parsed as written: no row fostered out of its table.
    expect(rows(dom, 'policies')).toEqual({ head: 1, body: 3 });
    expect(rows(dom, 'references')).toEqual({ head: 1, body: 7 });
    expect(rows(dom, 'regressions')).toEqual({ head: 1, body: 5 });
  });

  it.concurrent('would notice a page that fetches or runs something (the check above is not vacuous)', async ({ expect, skip }) => {
    const browser = use(chromium, skip);
    const broken = renderHtml(COMPARE_REPORT, OPTIONS).replace(
      '</main>',
      '<img src="http://example.invalid/pixel.png"><img src="missing.png"><script>console.error("boom")</script></main>',
    );
    const { status, stderr, url } = await load(browser, 'broken.html', broken);
    expect(status).toBe(0);
    const problems = pageProblems(stderr, url).join('\n');
    expect(problems).toContain("Loading the image 'http://example.invalid/pixel.png' violates");
    expect(problems).toContain('missing.png');
    expect(problems).toContain('Executing inline script violates');
  });
});
