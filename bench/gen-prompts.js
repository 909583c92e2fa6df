#!/usr/bin/env node
// Deterministic synthetic prompt generator for frugal benchmarks.
//
//   node bench/gen-prompts.js OUT_FILE [COUNT=1000000]
//
// Writes COUNT JSONL records ({"id":"p000001","prompt":"..."} and friends) to
// OUT_FILE. Output is byte-for-byte reproducible (mulberry32, seed 42).
//
// Other bench scripts can import the generator instead of reading a file:
//
//   import { generatePrompts } from './gen-prompts.js';
//   for (const rec of generatePrompts(10_000, 42)) { ... }
//
// Record shapes mirror examples/prompts.jsonl: code (with ``` fences, stack
// traces), quick what/who/when/define lookups, very short prompts, summaries
// with pasted text, compare/why analyses, and a small share in `messages`
// form. ~5% carry "difficulty":"hard" and ~10% carry "max_tokens". Prompt
// lengths range from ~5 to ~400 words so prompt-length routing rules fire.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';

const DEFAULT_COUNT = 1_000_000;
const DEFAULT_SEED = 42;

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A sentence pool with precomputed word counts, so padding to a target
// length doesn't re-split strings on every record.
function pool(sentences) {
  return { s: sentences, w: sentences.map((x) => x.split(/\s+/).length) };
}

const F = '```';

// ---------------------------------------------------------------- code ----

const CODE_LANGS = [
  {
    name: 'Python',
    fence: 'python',
    snippets: [
      'def add_tag(tag, tags=[]):\n    tags.append(tag.strip().lower())\n    return tags',
      'def average(values):\n    total = 0\n    for v in values:\n        total += v\n    return total / len(values)',
      'def load_users(path):\n    users = {}\n    with open(path) as f:\n        for line in f:\n            uid, email = line.split(",")\n            users[uid] = email\n    return users',
      'async def fetch_all(urls):\n    results = []\n    for url in urls:\n        async with session.get(url) as r:\n            results.append(await r.json())\n    return results',
    ],
    traces: [
      'Traceback (most recent call last):\n  File "/app/jobs/report.py", line 88, in <module>\n    main()\n  File "/app/jobs/report.py", line 42, in build_summary\n    grouped = df.groupby("region").agg({"orders": "count"})\nKeyError: "Column(s) [\'orders\'] do not exist"',
      'Traceback (most recent call last):\n  File "/srv/api/handlers.py", line 131, in average\n    return total / len(values)\nZeroDivisionError: division by zero',
    ],
  },
  {
    name: 'TypeScript',
    fence: 'typescript',
    snippets: [
      'export async function loadUser(id: string): Promise<User> {\n  const res = await fetch(`/api/users/${id}`);\n  const data = await res.json();\n  return data.user as User;\n}',
      'function groupBy<T>(items: T[], key: keyof T) {\n  return items.reduce((acc, item) => {\n    (acc[item[key]] ||= []).push(item);\n    return acc;\n  }, {});\n}',
      'const withEmail = users.filter(u => u.email !== undefined);\nreturn withEmail.map(u => sendMail(u.email));',
    ],
    traces: [
      "src/users.ts:14:38 - error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string'.\n  Type 'undefined' is not assignable to type 'string'.",
      "src/group.ts:3:6 - error TS7053: Element implicitly has an 'any' type because expression of type 'T[keyof T]' can't be used to index type '{}'.",
    ],
  },
  {
    name: 'JavaScript',
    fence: 'js',
    snippets: [
      'function debounce(fn, wait) {\n  let timer;\n  return function (...args) {\n    clearTimeout(timer);\n    timer = setTimeout(fn(...args), wait);\n  };\n}',
      "function loadConfig(path, cb) {\n  fs.readFile(path, 'utf8', function (err, raw) {\n    if (err) return cb(err);\n    cb(null, JSON.parse(raw));\n  });\n}",
      'for (var i = 0; i < buttons.length; i++) {\n  buttons[i].addEventListener("click", function () {\n    console.log("clicked", i);\n  });\n}',
    ],
    traces: [
      "TypeError: Cannot read properties of undefined (reading 'map')\n    at renderList (/app/src/list.js:22:31)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
      'SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at ReadFileContext.callback (/app/config.js:4:22)',
    ],
  },
  {
    name: 'Go',
    fence: 'go',
    snippets: [
      'type Cache struct {\n    items map[string][]byte\n}\n\nfunc (c *Cache) Set(key string, val []byte) {\n    c.items[key] = val\n}',
      'for _, job := range jobs {\n    go func() {\n        process(job)\n        wg.Done()\n    }()\n}\nwg.Wait()',
      'func readAll(r io.Reader) string {\n    buf := make([]byte, 1024)\n    n, _ := r.Read(buf)\n    return string(buf[:n])\n}',
    ],
    traces: [
      'WARNING: DATA RACE\nWrite at 0x00c0001a4090 by goroutine 8:\n  runtime.mapassign_faststr()\n  example.com/cache.(*Cache).Set()\n      /src/cache/cache.go:14 +0x84',
      'panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.(*Cache).Set(...)\n\t/src/cache/cache.go:14\nmain.main()\n\t/src/main.go:9 +0x3c',
    ],
  },
  {
    name: 'C',
    fence: 'c',
    snippets: [
      'void free_list(Node *head) {\n    for (Node *cur = head; cur != NULL; cur = cur->next) {\n        free(cur);\n    }\n}',
      'char *copy_name(const char *src) {\n    char *dst = malloc(strlen(src));\n    strcpy(dst, src);\n    return dst;\n}',
      'int sum(int *arr, int n) {\n    int total;\n    for (int i = 0; i <= n; i++) total += arr[i];\n    return total;\n}',
    ],
    traces: [
      '==4121== Invalid read of size 8\n==4121==    at 0x1091C4: free_list (list.c:12)\n==4121==  Address 0x4a4b048 is 8 bytes inside a block of size 16 free\'d',
      'Program received signal SIGSEGV, Segmentation fault.\n0x0000555555555189 in copy_name (src=0x0) at names.c:7\n7\t    char *dst = malloc(strlen(src));',
    ],
  },
  {
    name: 'Rust',
    fence: 'rust',
    snippets: [
      'fn longest(a: &str, b: &str) -> &str {\n    if a.len() > b.len() { a } else { b }\n}',
      'let mut names = vec!["ana", "bo"];\nlet first = &names[0];\nnames.push("cy");\nprintln!("{}", first);',
    ],
    traces: [
      'error[E0106]: missing lifetime specifier\n --> src/main.rs:1:33\n  |\n1 | fn longest(a: &str, b: &str) -> &str {\n  |               ----     ----     ^ expected named lifetime parameter',
      "error[E0502]: cannot borrow `names` as mutable because it is also borrowed as immutable\n --> src/main.rs:3:1",
    ],
  },
  {
    name: 'Java',
    fence: 'java',
    snippets: [
      'public String displayName(User u) {\n    return u.getProfile().getNickname().trim();\n}',
      'for (String key : map.keySet()) {\n    if (map.get(key) == null) {\n        map.remove(key);\n    }\n}',
    ],
    traces: [
      'Exception in thread "main" java.lang.NullPointerException: Cannot invoke "Profile.getNickname()" because the return value of "User.getProfile()" is null\n\tat com.acme.UserView.displayName(UserView.java:27)',
      'Exception in thread "main" java.util.ConcurrentModificationException\n\tat java.base/java.util.HashMap$HashIterator.nextNode(HashMap.java:1597)\n\tat com.acme.Cleanup.run(Cleanup.java:14)',
    ],
  },
  {
    name: 'SQL',
    fence: 'sql',
    snippets: [
      "SELECT * FROM orders\nWHERE lower(customer_email) = 'jane@example.com'\n  AND created_at > now() - interval '30 days'\nORDER BY created_at DESC\nLIMIT 20;",
      'SELECT c.name, COUNT(o.id)\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\nWHERE o.status = \'paid\'\nGROUP BY c.name;',
    ],
    traces: [
      'ERROR:  column "o.total" must appear in the GROUP BY clause or be used in an aggregate function\nLINE 1: SELECT c.name, o.total, COUNT(o.id)',
      'Seq Scan on orders  (cost=0.00..1893422.10 rows=2000 width=212) (actual time=0.041..9120.332 rows=14 loops=1)',
    ],
  },
];

const CODE_INTROS = [
  'Why does this {lang} function fail on some inputs?',
  'Can you refactor this {lang} code so it is easier to read and test?',
  "This {lang} code won't compile and I can't figure out why.",
  'Please review this {lang} snippet before I merge it.',
  'Here is a stack trace from production and the {lang} function it points to.',
  'How can I make this {lang} function faster without changing its behavior?',
  'Is there a race condition in this {lang} code?',
  'Write unit tests for this {lang} function and point out any edge cases it misses.',
  'I get a segfault or crash under load with this {lang} code. What is wrong?',
  'Explain what this {lang} code does, line by line, and whether it has a bug.',
  'Code review please: is this idiomatic {lang}, and what would you change?',
  'Our linter flags this {lang} code. Is it a real bug or a false positive?',
];

const CODE_CONTEXT = pool([
  'This started happening after we upgraded to the latest minor version of our framework.',
  'It only fails in CI; locally every test passes.',
  'I have already added logging around the call and the values look correct right up until the failure.',
  'The function is called a few thousand times per second in production.',
  'Please keep the public signature the same because other teams depend on it.',
  'I would also appreciate comments on naming and error handling.',
  'The tests for this module are sparse, so please suggest a couple.',
  'Memory usage climbs steadily until the container is killed by the OOM killer.',
  'A colleague suggested replacing it with a library, but I would rather understand the bug first.',
  'It compiles with warnings that we have been ignoring; maybe they are related.',
  'Performance matters here because this runs inside a hot loop.',
  'The bug is intermittent and seems to happen more often under load.',
  'Explain what is wrong before showing the fix, please.',
  'I am fairly new to this language, so please explain any idioms you use.',
  'We deploy this as part of a long-running worker process on Linux.',
  'The input comes from a CSV export that another team owns, so it is not always clean.',
  'Nothing in the changelog for the last release looks related.',
  'I tried wrapping the whole thing in a try/catch, which hides the error but does not fix it.',
  'Our code review guidelines discourage clever one-liners, so keep the fix readable.',
  'If there is a standard library function that already does this, tell me.',
  'The same code works fine on macOS but fails in our Docker image.',
  'We need to support inputs with a few million elements.',
]);

// ------------------------------------------------------------- lookups ----

const LOOKUP_TEMPLATES = [
  ['What is the capital of {0}?', ['Australia', 'Canada', 'Kenya', 'Peru', 'Vietnam', 'Norway', 'Morocco', 'New Zealand', 'Chile', 'Portugal']],
  ['Who wrote {0}?', ['The Left Hand of Darkness', 'One Hundred Years of Solitude', 'Beloved', 'The Remains of the Day', 'Middlemarch', 'Things Fall Apart', 'The Master and Margarita', 'Pride and Prejudice']],
  ['Who painted {0}?', ['The Starry Night', 'Girl with a Pearl Earring', 'The Persistence of Memory', 'Las Meninas', 'The Birth of Venus', 'Nighthawks']],
  ['When did {0}?', ['the Berlin Wall fall', 'the first Moon landing happen', 'the Suez Canal open', 'the Chernobyl disaster happen', 'the Magna Carta get sealed', 'the first iPhone go on sale']],
  ['When was {0} first released?', ['Python 3.0', 'Linux', 'Java', 'the Rust 1.0 compiler', 'PostgreSQL', 'Node.js']],
  ['Define {0} in the context of {1}.', ['idempotent', 'eventual consistency', 'amortization', 'backpressure', 'opportunity cost', 'latency', 'throughput', 'memoization'], ['HTTP APIs', 'distributed systems', 'personal finance', 'stream processing', 'economics', 'computer science']],
  ['Define {0}.', ['photosynthesis', 'inflation', 'entropy', 'a derivative in calculus', 'a closure in programming', 'herd immunity', 'net present value']],
  ['What is the boiling point of {0} at sea level in {1}?', ['water', 'ethanol', 'liquid nitrogen'], ['Fahrenheit', 'Celsius', 'Kelvin']],
  ['What does {0} stand for?', ['CAP in the CAP theorem', 'ACID in databases', 'DNS', 'GDP', 'LIDAR', 'HTTP', 'CRISPR', 'NASA']],
  ['What is the half-life of {0}?', ['carbon-14', 'uranium-238', 'iodine-131', 'caffeine in the human body']],
  ['Who discovered {0}?', ['penicillin', 'the structure of DNA', 'radioactivity', 'the electron', 'oxygen']],
  ['What is the population of {0}, roughly?', ['Tokyo', 'Lagos', 'São Paulo', 'Istanbul', 'Toronto', 'Jakarta']],
  ['What is the difference between {0}?', ['weather and climate', 'a virus and a bacterium', 'TCP and UDP', 'stocks and bonds', 'affect and effect']],
];
const LOOKUP_SUFFIXES = ['', '', '', '', ' Answer in one sentence.', ' Just the short answer, please.', ' Include the year if relevant.', ' Keep it brief.'];

// --------------------------------------------------------------- short ----

const SHORT_TEMPLATES = [
  ["Translate '{0}' to {1}.", ['good morning', 'thank you very much', 'where is the train station', 'see you tomorrow', 'happy birthday'], ['Spanish', 'French', 'German', 'Japanese', 'Italian', 'Portuguese']],
  ['Give me a synonym for {0}.', ['happy', 'fast', 'important', 'difficult', 'beautiful', 'angry']],
  ['What is an antonym of {0}?', ['generous', 'ancient', 'transparent', 'optimistic', 'rigid']],
  ['Convert {0} to {1}.', ['26.2 miles', '5 feet 11 inches', '350 degrees Fahrenheit', '2 cups of flour', '100 kilometers per hour'], ['metric units', 'kilometers', 'Celsius', 'grams', 'miles per hour']],
  ['Write a haiku about {0}.', ['autumn rain', 'a quiet harbor', 'morning coffee', 'city snow', 'a failing build']],
  ['Fix the spelling: {0}', ['definately recieve the acommodation', 'seperate occurence untill tommorow', 'goverment beleive wierd']],
  ['Is {0} a prime number?', ['91', '97', '221', '1009', '561']],
];

// ------------------------------------------------------------ summaries ----

const NAMES = ['Priya', 'Marcus', 'Lena', 'Tomás', 'Aiko', 'Daniel', 'Sarah', 'Oluwaseun', 'Mei', 'Jonas', 'Fatima', 'Rahul'];

const SUMMARY_DOCS = [
  {
    ask: ['Summarize the following meeting notes into decisions and action items with owners.', 'Summarize these meeting notes in five bullet points.', 'Summarize the following notes from our weekly sync.'],
    body: pool([
      '{n} opened by noting that the migration is about two weeks behind schedule.',
      '{n} said the remaining blockers are three billing jobs that depend on timezone handling the new system does not support yet.',
      '{n} estimated four days of work to add the missing field and backfill existing records.',
      '{n} raised a concern that the new workers still run in a single availability zone.',
      'After some discussion the group agreed to finish the reliability work before moving customer-facing jobs.',
      '{n} asked whether the export feature can still launch in June as planned.',
      '{n} said the UI is ready behind a feature flag but depends on an API endpoint nobody has started.',
      '{n} suggested borrowing an engineer from the integrations team for two weeks.',
      'Alert noise has doubled since April and on-call is getting paged for retries that eventually succeed.',
      '{n} proposed raising the alert threshold to three consecutive failures, and nobody objected.',
      '{n} will follow up with finance about the revised budget by Thursday.',
      'The team agreed to revisit the hiring plan at the next sync.',
      '{n} noted that the vendor contract renews at the end of the quarter and pricing is going up.',
      'There was no consensus on whether to deprecate the old dashboard this quarter.',
    ]),
  },
  {
    ask: ['Summarize the following incident report in three sentences for an executive audience.', 'Summarize this incident report, focusing on root cause and follow-ups.'],
    body: pool([
      'At 09:12 UTC, error rates on the checkout API rose from a baseline of 0.2% to approximately 18%.',
      'Customers saw a generic error message when submitting payment.',
      'The on-call engineer was paged five minutes later by the error-rate alert.',
      'The team initially suspected the payment provider, whose status page showed a minor degradation at the time.',
      'The errors correlated with a configuration deploy that rotated database credentials for the orders service.',
      'Two of six pods had cached the old credentials and were not restarted because of a misconfigured readiness probe.',
      'Because the load balancer kept routing to those pods, roughly a third of requests failed.',
      'The pods were manually restarted and error rates returned to baseline within fifteen minutes.',
      'Approximately 4,100 checkout attempts failed during the incident window.',
      'The payments team estimates that about 60% of affected customers retried successfully within the hour.',
      'Follow-up actions include fixing the readiness probe so it checks database connectivity.',
      'Credential rotation will now trigger a full rolling restart of dependent services.',
      'A dashboard panel correlating deploys with error rates will be added this sprint.',
      'The runbook will be updated so recent deploys are checked before third-party status pages.',
    ]),
  },
  {
    ask: ['Summarize the following product review in two or three sentences, including the overall verdict.', 'Summarize this customer review and list the main pros and cons.'],
    body: pool([
      'I have been using these wireless earbuds for about six weeks, mostly on my commute and at the gym.',
      'The noise cancellation is genuinely good for the price, although it does not match the flagship models.',
      'Sound is warm and a little bass-heavy out of the box, but the app EQ fixed that in two minutes.',
      'Battery life is disappointing: the box claims eight hours and I consistently get about five and a half.',
      'The charging case gives roughly three full recharges, so I only plug it in twice a week.',
      'The fit is secure during runs, but after an hour my ears start to ache with the medium tips.',
      'Call quality is mediocre, and people tell me I sound distant.',
      'Wind noise is a real problem outdoors.',
      'Multipoint pairing works well and switching between laptop and phone is seamless.',
      'The companion app asks for far too many permissions for what it does.',
      'Customer support replaced a faulty left bud within a week, which I appreciated.',
      'Overall these are a solid value if you mainly listen to music and podcasts. Four stars.',
    ]),
  },
  {
    ask: ['Summarize the following article excerpt in one paragraph.', 'Summarize the following article for a general audience.', 'Give me a three-bullet summary of this excerpt.'],
    body: pool([
      'Cities are measurably hotter than the countryside around them, a phenomenon known as the urban heat island effect.',
      'Asphalt, concrete, and dark roofs absorb sunlight during the day and release it slowly at night.',
      'The temperature gap between a dense downtown and nearby farmland is often largest after sunset.',
      'Waste heat from air conditioners, vehicles, and industry adds to the effect.',
      'Neighborhoods with fewer trees and more paved surface are, on average, several degrees hotter in summer.',
      'During heat waves this translates into higher rates of heat-related hospital admissions.',
      'Some cities subsidize reflective roof coatings, which can lower roof surface temperatures by 20°C on sunny days.',
      'Street trees help, but they take years to mature and need maintenance budgets that are often cut first.',
      'A handful of cities have appointed chief heat officers to coordinate cooling centers and early warnings.',
      'Researchers caution that the benefits of green roofs depend heavily on local climate and irrigation.',
      'Critics argue that cooling programs have so far been concentrated in wealthier districts.',
      'The article closes by arguing that extreme heat should be treated as a public-health emergency.',
    ]),
  },
  {
    ask: ['Summarize the following customer support ticket for the engineering escalation queue.', 'Summarize this support thread: the problem, what has been tried, and the impact.'],
    body: pool([
      'Since Friday evening our drivers cannot upload proof-of-delivery photos from the Android app.',
      'The upload spinner runs for about a minute and then shows an error asking them to try again later.',
      'iOS users are not affected.',
      'About 120 drivers use Android and this is holding up invoicing.',
      'The agent asked for the app version and device models and suggested reinstalling the app.',
      'Reinstalling did not help, but small photos from the front camera do upload.',
      'The failing photos are rear-camera images of about 8 to 12 MB.',
      'Support reproduced the issue on a test device: uploads over roughly 5 MB fail with HTTP 413.',
      'The previous app version uploads the same file without problems.',
      'The release notes for the latest version mention a new upload service.',
      'Lowering the camera resolution works as a temporary workaround, but labels become unreadable.',
      'The customer says roughly 300 invoices per day are delayed and asks for this to be treated as urgent.',
    ]),
  },
  {
    ask: ['Summarize the following email thread and tell me what I am being asked to decide.', 'Summarize this email chain in a few sentences.'],
    body: pool([
      '{n} from procurement says the cleaning vendor has sent a renewal quote about 15% higher than last year.',
      'The vendor attributes the increase to higher wages and a new city minimum wage.',
      'They offered to hold the old price if we sign a two-year term by the end of the month.',
      '{n} is wary of a two-year term after several missed cleanings in March.',
      'With the hybrid schedule the office is only at 40% occupancy on Mondays and Fridays.',
      'A second vendor quoted a lower price for a reduced schedule that skips desk cleaning twice a week.',
      'A third vendor quoted full daily service but cannot start until February.',
      'That would leave a six-week gap after the current contract ends.',
      '{n} asked for references for the new vendor, and both references came back positive.',
      '{n} needs a decision from the facilities lead by Friday.',
      'Legal has asked that any new contract include a 60-day termination clause.',
    ]),
  },
];

// ------------------------------------------------------------- analyses ----

// Each group pairs comparable options with use cases that make sense for them.
const COMPARE_GROUPS = [
  {
    pairs: [
      ['PostgreSQL', 'DynamoDB'], ['Kafka', 'SQS'], ['REST', 'GraphQL'], ['gRPC', 'REST'], ['Kubernetes', 'ECS'],
      ['a monorepo', 'many small repositories'], ['server-side rendering', 'static site generation'], ['Rust', 'Go'],
      ['Redis', 'Memcached'], ['Terraform', 'Pulumi'], ['a modular monolith', 'microservices'],
    ],
    uses: [
      'a 12-person startup building a B2B scheduling product', 'an order events pipeline at a few thousand events per second',
      'the API behind a new mobile app', 'a data team of four engineers', 'a regional bank modernizing its core systems',
      'an internal analytics platform', 'a developer tools company',
    ],
  },
  {
    pairs: [['renting', 'buying a home'], ['index funds', 'actively managed funds'], ['paying down the mortgage early', 'investing the difference']],
    uses: ['a household with two incomes and a five-year horizon', 'a single freelancer with irregular income', 'a couple planning to retire in fifteen years'],
  },
  {
    pairs: [['seat-based pricing', 'usage-based pricing'], ['a freemium tier', 'a free trial'], ['annual contracts', 'monthly billing']],
    uses: ['a developer tools company', 'a B2B SaaS product with about 1,100 paying accounts', 'a startup selling to mid-sized logistics companies'],
  },
];
const WHY_TOPICS = [
  'services inflation tends to stay elevated longer than goods inflation after a price shock',
  'our deploys are getting slower and riskier as the team grows',
  'p99 latency on our API doubled after we moved to a larger instance type',
  'the Roman Empire in the West collapsed while the Eastern Empire survived for another thousand years',
  'our customer churn spikes three months after signup',
  'central banks raise interest rates to fight inflation',
  'our React app re-renders so often after we introduced a global context',
  'small teams often struggle after adopting microservices too early',
  'container images built in CI are nondeterministic even with pinned dependencies',
  'remote teams report lower onboarding satisfaction than co-located teams',
];
const STRATEGY_TOPICS = [
  'moving from seat-based to usage-based pricing', 'splitting our monolith into services over the next year',
  'building our own LLM evaluation harness instead of buying one', 'adopting a four-day work week for the engineering team',
  'migrating from a self-managed Kafka cluster to a managed service', 'expanding into the German market before the UK',
  'replacing our homegrown feature-flag system with a vendor',
];
const ANALYSIS_CONTEXT = pool([
  'We currently have about 300 customers and expect volume to grow tenfold within eighteen months.',
  'Our platform team is three people, and they already run everything else on managed cloud services.',
  'Everyone on the team knows SQL well, but nobody has operated this kind of system in production.',
  'Our largest 5% of accounts generate about 60% of the load while paying roughly 20% of revenue.',
  'CI takes 38 minutes on a good day, up from 12 minutes two years ago.',
  'Last quarter, 22% of our release trains were rolled back at least once.',
  'Leadership wants a recommendation before the next planning cycle in six weeks.',
  'Some senior engineers strongly support the change; others think it addresses the wrong problem.',
  'Budget is tight this year, so anything that needs new headcount is hard to justify.',
  'We care more about predictability and operational simplicity than about peak performance.',
  'Our customers are mostly mid-sized companies in healthcare and logistics with strict compliance needs.',
  'We have already tried the obvious quick fixes and they bought us only a few months.',
  'Mobile users are often on flaky connections, so round trips and payload size matter.',
  'The audience for this answer is a board of non-specialists, so it needs to be accurate but readable.',
  'Historical comparisons are welcome if they genuinely illuminate the question.',
  'There is a real risk of losing our two most experienced engineers if the rollout goes badly.',
]);
const ANALYSIS_ASKS = [
  'Please structure the answer with a recommendation, the main tradeoffs, and the risks.',
  'Consider cost, operational burden, and team expertise, and say what would change your mind.',
  'Be concrete about sequencing over the next two quarters.',
  'Explain the reasoning step by step rather than just giving a verdict.',
  'Include the indicators we should watch to know whether the decision is working.',
];

const SYSTEMS = ['You are a terse assistant.', 'You are a helpful assistant. Answer concisely.', 'You are a senior software engineer doing code review.'];
const MAX_TOKENS = [200, 256, 500, 1000, 1500, 4000];

// ------------------------------------------------------------- helpers ----

/**
 * Yields `count` synthetic prompt records, deterministically for a given seed.
 * @param {number} [count=1000000]
 * @param {number} [seed=42]
 * @returns {Generator<{id: string, prompt?: string, messages?: {role: string, content: string}[], system?: string, difficulty?: string, max_tokens?: number}>}
 */
export function* generatePrompts(count = DEFAULT_COUNT, seed = DEFAULT_SEED) {
  const rnd = mulberry32(seed);
  const int = (n) => (rnd() * n) | 0;
  const pick = (arr) => arr[(rnd() * arr.length) | 0];
  // Skewed toward the low end (mean ~1/3 of the range), up to `max` words.
  const target = (min, max) => min + ((max - min) * rnd() * rnd()) | 0;

  const fillNames = (s) => (s.includes('{n}') ? s.replace('{n}', pick(NAMES)) : s);

  // Append sentences from pool p until at least `words` words; paragraph
  // break every `para` sentences (0 = single paragraph).
  function pad(p, words, para) {
    let out = '';
    let w = 0;
    let k = 0;
    let last = -1;
    while (w < words) {
      let i = (rnd() * p.s.length) | 0;
      if (i === last) i = (i + 1) % p.s.length; // no back-to-back repeats
      last = i;
      if (k > 0) out += para && k % para === 0 ? '\n\n' : ' ';
      out += fillNames(p.s[i]);
      w += p.w[i];
      k++;
    }
    return out;
  }

  function fromTemplate([tpl, a, b]) {
    let s = tpl.replace('{0}', pick(a));
    if (b) s = s.replace('{1}', pick(b));
    return s;
  }

  function codePrompt() {
    const lang = pick(CODE_LANGS);
    const intro = pick(CODE_INTROS).replace('{lang}', lang.name);
    let s = `${intro}\n\n${F}${lang.fence}\n${pick(lang.snippets)}\n${F}`;
    if (rnd() < 0.35) s += `\n\nThe error output:\n\n${F}\n${pick(lang.traces)}\n${F}`;
    const words = target(0, 360);
    if (words > 8) s += '\n\n' + pad(CODE_CONTEXT, words, 4);
    if (rnd() < 0.15) s += `\n\nHere is a second version I tried:\n\n${F}${lang.fence}\n${pick(lang.snippets)}\n${F}`;
    return s;
  }

  function lookupPrompt() {
    return fromTemplate(pick(LOOKUP_TEMPLATES)) + pick(LOOKUP_SUFFIXES);
  }

  function shortPrompt() {
    return fromTemplate(pick(SHORT_TEMPLATES));
  }

  function summaryPrompt() {
    const doc = pick(SUMMARY_DOCS);
    return `${pick(doc.ask)}\n\n${pad(doc.body, target(50, 400), 3 + int(3))}`;
  }

  function analysisPrompt() {
    const r = rnd();
    let head;
    if (r < 0.4) {
      const g = pick(COMPARE_GROUPS);
      const [a, b] = pick(g.pairs);
      head = `Compare ${a} and ${b} for ${pick(g.uses)}.`;
    } else if (r < 0.75) {
      head = `Explain why ${pick(WHY_TOPICS)}.`;
    } else {
      head = `What are the tradeoffs of ${pick(STRATEGY_TOPICS)}? Walk me through the strategy and the architecture implications.`;
    }
    return `${head}\n\n${pad(ANALYSIS_CONTEXT, target(30, 380), 4)}\n\n${pick(ANALYSIS_ASKS)}`;
  }

  function messagesRecord(rec) {
    rec.system = pick(SYSTEMS);
    if (rnd() < 0.5) {
      rec.messages = [{ role: 'user', content: rnd() < 0.5 ? lookupPrompt() : codePrompt() }];
    } else {
      rec.messages = [
        { role: 'user', content: lookupPrompt() },
        { role: 'assistant', content: 'Here is the short answer. Let me know if you need more detail.' },
        { role: 'user', content: pick(['Can you expand on that a bit?', 'Give me a source for that.', 'And what about the follow-up case?', 'Explain why, in two sentences.']) },
      ];
    }
  }

  for (let n = 1; n <= count; n++) {
    const rec = { id: 'p' + String(n).padStart(6, '0') };
    // Kind mix: lookup 28%, short 10%, code 22%, summary 18%, analysis 20%, messages 2%.
    const k = rnd();
    if (k < 0.28) rec.prompt = lookupPrompt();
    else if (k < 0.38) rec.prompt = shortPrompt();
    else if (k < 0.6) rec.prompt = codePrompt();
    else if (k < 0.78) rec.prompt = summaryPrompt();
    else if (k < 0.98) rec.prompt = analysisPrompt();
    else messagesRecord(rec);
    if (rnd() < 0.05) rec.difficulty = 'hard';
    if (rnd() < 0.1) rec.max_tokens = pick(MAX_TOKENS);
    yield rec;
  }
}

// ---------------------------------------------------------------- main ----

async function main(argv) {
  const [out, countArg] = argv;
  if (!out || out === '-h' || out === '--help') {
    process.stderr.write('usage: node bench/gen-prompts.js OUT_FILE [COUNT=1000000]\n');
    process.exitCode = out ? 0 : 2;
    return;
  }
  const count = countArg === undefined ? DEFAULT_COUNT : Number(countArg);
  if (!Number.isSafeInteger(count) || count < 0) {
    process.stderr.write(`gen-prompts: COUNT must be a non-negative integer, got ${JSON.stringify(countArg)}\n`);
    process.exitCode = 2;
    return;
  }

  const t0 = performance.now();
  const stream = createWriteStream(out);
  // Surface open/write errors through the awaited promises below.
  const done = finished(stream);
  done.catch(() => {});

  // Batch lines into ~64 KiB chunks; respect backpressure on each write.
  const BATCH = 256;
  let buf = '';
  let inBatch = 0;
  for (const rec of generatePrompts(count, DEFAULT_SEED)) {
    buf += JSON.stringify(rec) + '\n';
    if (++inBatch === BATCH) {
      if (!stream.write(buf)) await Promise.race([once(stream, 'drain'), done]);
      buf = '';
      inBatch = 0;
    }
  }
  if (buf) stream.write(buf);
  stream.end();
  await done;

  const secs = (performance.now() - t0) / 1000;
  process.stderr.write(`gen-prompts: wrote ${count} records (${stream.bytesWritten} bytes) to ${out} in ${secs.toFixed(2)}s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`gen-prompts: ${err.message}\n`);
    process.exitCode = 1;
  });
}
