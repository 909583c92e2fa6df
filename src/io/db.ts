import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { UserError } from '../core/errors.js';
import { dbPath, ensureDataDir, ensureDbFile, tightenSidecars } from './store-path.js';

export type Db = Database.Database;

/** Long enough for eight processes that each commit a batch now and then to take turns. */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * Schema migrations, in order; PRAGMA user_version holds how many have been applied.
 * Append only: a released step is never edited.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE calls (
     id                 INTEGER PRIMARY KEY,
     at                 TEXT    NOT NULL,  -- ISO 8601, UTC
     at_ms              INTEGER NOT NULL,  -- the same instant, ms since the epoch
     run_id             TEXT    NOT NULL,
     prompt_id          TEXT    NOT NULL,
     class              TEXT,              -- NULL: the default route
     route              TEXT    NOT NULL,
     provider           TEXT    NOT NULL,
     model              TEXT    NOT NULL,
     answered_by        TEXT,
     input_tokens       INTEGER NOT NULL,
     output_tokens      INTEGER NOT NULL,
     cache_read_tokens  INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     cost_pico          INTEGER,           -- picodollars; NULL when unknown, never 0 by accident
     baseline_cost_pico INTEGER,
     latency_ms         INTEGER,
     attempts           INTEGER,
     status             TEXT    NOT NULL CHECK (status IN ('ok', 'error', 'cached')),
     error_status       INTEGER,
     error_kind         TEXT,
     error_message      TEXT,
     prompt_hash        TEXT    NOT NULL,  -- sha256 of the canonical system + messages
     prompt_text        TEXT               -- NULL unless --log-prompts
   ) STRICT;
   CREATE INDEX calls_at_ms ON calls (at_ms);
   CREATE TABLE response_cache (
     key                TEXT    PRIMARY KEY,  -- sha256 of the canonical request
     text               TEXT    NOT NULL,
     input_tokens       INTEGER,
     output_tokens      INTEGER,
     cache_read_tokens  INTEGER,
     cache_write_tokens INTEGER,
     answered_by        TEXT,
     created_ms         INTEGER NOT NULL
   ) STRICT, WITHOUT ROWID;`,
  // One row per call, written before its request leaves (status 'pending', booked at its
  // reservation) and settled when it comes back; the job an -o file belongs to, for --resume.
  `CREATE TABLE calls_v2 (
     id                 INTEGER PRIMARY KEY,
     at                 TEXT    NOT NULL,
     at_ms              INTEGER NOT NULL,
     run_id             TEXT    NOT NULL,
     job_id             TEXT,              -- the -o job (resume and the budget read its spend)
     prompt_id          TEXT    NOT NULL,
     kind               TEXT    NOT NULL CHECK (kind IN ('answer', 'check', 'embed')),
     class              TEXT,
     route              TEXT    NOT NULL,
     provider           TEXT    NOT NULL,
     model              TEXT    NOT NULL,
     answered_by        TEXT,
     input_tokens       INTEGER NOT NULL,
     output_tokens      INTEGER NOT NULL,
     cache_read_tokens  INTEGER NOT NULL,
     cache_write_tokens INTEGER NOT NULL,
     reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
     cost_pico          INTEGER,           -- booked; NULL only in rows of older frugals (unknown)
     unsettled_pico     INTEGER NOT NULL DEFAULT 0,  -- the part of cost_pico that is reservations
     baseline_cost_pico INTEGER,
     latency_ms         INTEGER,
     attempts           INTEGER,
     finish_reason      TEXT,
     status             TEXT    NOT NULL CHECK (status IN ('pending', 'ok', 'error', 'cached')),
     error_status       INTEGER,
     error_kind         TEXT,
     error_message      TEXT,
     prompt_hash        TEXT    NOT NULL,
     prompt_text        TEXT
   ) STRICT;
   INSERT INTO calls_v2 (id, at, at_ms, run_id, job_id, prompt_id, kind, class, route, provider, model, answered_by,
     input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_pico, baseline_cost_pico, latency_ms,
     attempts, status, error_status, error_kind, error_message, prompt_hash, prompt_text)
   SELECT id, at, at_ms, run_id, NULL, prompt_id, 'answer', class, route, provider, model, answered_by,
     input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_pico, baseline_cost_pico, latency_ms,
     attempts, status, error_status, error_kind, error_message, prompt_hash, prompt_text FROM calls;
   DROP TABLE calls;
   ALTER TABLE calls_v2 RENAME TO calls;
   CREATE INDEX calls_at_ms ON calls (at_ms);
   CREATE INDEX calls_job ON calls (job_id) WHERE job_id IS NOT NULL;
   CREATE TABLE jobs (
     output     TEXT    PRIMARY KEY,      -- the -o file's absolute path
     job_id     TEXT    NOT NULL,
     started_ms INTEGER NOT NULL
   ) STRICT;`,
  // Embeddings of similar_to examples and prompts, so each text is embedded once per embedder.
  `CREATE TABLE embeddings (
     embedder   TEXT    NOT NULL,  -- provider:model:base_url of the embedding model
     text_hash  TEXT    NOT NULL,  -- sha256 of the text
     dims       INTEGER NOT NULL,
     vector     BLOB    NOT NULL,  -- float32, little-endian, unit length
     created_ms INTEGER NOT NULL,
     PRIMARY KEY (embedder, text_hash)
   ) STRICT, WITHOUT ROWID;`,
  // Batch jobs (issue 13): written before anything is submitted, so a killed run can be picked up.
  `CREATE TABLE batch_jobs (
     id          TEXT    PRIMARY KEY,
     created_ms  INTEGER NOT NULL,
     state       TEXT    NOT NULL CHECK (state IN ('creating', 'open', 'done', 'cancelled')),
     output      TEXT,              -- the -o file the records go to, absolute
     settings    TEXT    NOT NULL   -- JSON: models with their batch rates, baseline, retries
   ) STRICT;
   CREATE TABLE batch_batches (
     job_id       TEXT    NOT NULL,
     tag          TEXT    NOT NULL,  -- frugal's own name for it, known before the provider's id
     route        TEXT    NOT NULL,
     round        INTEGER NOT NULL,
     provider_id  TEXT,              -- NULL until the provider answered the submit
     state        TEXT    NOT NULL CHECK (state IN ('submitting', 'running', 'ended', 'collected', 'lost')),
     lines        INTEGER NOT NULL,
     submitted_ms INTEGER NOT NULL,
     status       TEXT,              -- the provider's last status word
     reserved_pico INTEGER NOT NULL, -- worst-case cost reserved against --max-spend
     PRIMARY KEY (job_id, tag)
   ) STRICT;
   CREATE TABLE batch_lines (
     job_id      TEXT    NOT NULL,
     custom_id   TEXT    NOT NULL,
     prompt_id   TEXT    NOT NULL,
     route       TEXT    NOT NULL,
     class       TEXT,
     reason      TEXT    NOT NULL,
     source      TEXT    NOT NULL,  -- JSON {file, line}
     request     TEXT    NOT NULL,  -- JSON {system, messages, maxTokens}
     state       TEXT    NOT NULL CHECK (state IN ('pending', 'submitted', 'retry', 'done')),
     batch_tag   TEXT,
     rounds      INTEGER NOT NULL DEFAULT 0,
     cost_pico   INTEGER,           -- what the collected result cost
     PRIMARY KEY (job_id, custom_id)
   ) STRICT;                        -- rowid: input order
   CREATE INDEX batch_lines_state ON batch_lines (job_id, state, route);
   CREATE INDEX batch_lines_tag ON batch_lines (job_id, batch_tag);`,
  // The answer text of a call, kept only with --log-prompts (as the prompt text is).
  `ALTER TABLE calls ADD COLUMN answer_text TEXT;`,
  // The answers of a cascade's steps, per -o job, so that --resume never repeats a step's call.
  `CREATE TABLE cascade_steps (
     job_id        TEXT    NOT NULL,
     prompt_id     TEXT    NOT NULL,
     step          INTEGER NOT NULL,
     call_id       INTEGER NOT NULL,  -- its row in calls
     answer        TEXT,              -- NULL when the call failed
     finish_reason TEXT,
     PRIMARY KEY (job_id, prompt_id, step)
   ) STRICT, WITHOUT ROWID;`,
  // Cascades in batch jobs: a line's cascade state (its step, requests, earlier calls) and what its earlier steps cost.
  `ALTER TABLE batch_lines ADD COLUMN cascade TEXT;
   ALTER TABLE batch_lines ADD COLUMN prior_pico INTEGER NOT NULL DEFAULT 0;
   -- (job_id, prompt_id) serves what (job_id) did: one index to update per call, not two.
   CREATE INDEX calls_job_prompt ON calls (job_id, prompt_id) WHERE job_id IS NOT NULL;
   DROP INDEX calls_job;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === SCHEMA_VERSION) return;
  // IMMEDIATE: two processes opening a new database at once must not both run the steps.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new UserError(`${path} was written by a newer frugal (schema ${version}; this one knows ${SCHEMA_VERSION})`, 'upgrade frugal, or point --home / FRUGAL_HOME at another folder');
    }
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function setWal(db: Db): void {
  // Switching to WAL needs a moment alone with the file; the busy handler does not always cover it.
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
    }
  }
}

const FS_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOSPC']);
const SQLITE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_FULL', 'SQLITE_PERM']);

/** A folder or file the user can fix (permissions, a full disk, a damaged file) becomes a UserError. */
export function asUserError(err: unknown, dir: string): unknown {
  const e = err as { code?: string; message?: string };
  if (e.code === undefined || (!FS_CODES.has(e.code) && !SQLITE_CODES.has(e.code))) return err;
  const path = dbPath(dir);
  if (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT') {
    return new UserError(`${path} is damaged: it cannot be read as a ledger`, `move ${path} aside (frugal starts a new one), or point --home / FRUGAL_HOME at another folder`);
  }
  // SQLite's own words ("disk I/O error") say less than its code.
  const why = e.code.startsWith('SQLITE_') ? e.code : (e.message ?? e.code);
  return new UserError(`cannot use the frugal data folder ${dir}: ${why}`, 'point --home / FRUGAL_HOME at a folder you can write to, or run with --no-ledger');
}

/** Opens (creating if need be) frugal.db in `dir`: folder 0700, files 0600, WAL, schema up to date. */
export function openDb(dir: string): Db {
  let db: Db | undefined;
  try {
    ensureDataDir(dir);
    const path = dbPath(dir);
    ensureDbFile(path);
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    setWal(db);
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    tightenSidecars(path);
    return db;
  } catch (err) {
    db?.close();
    throw asUserError(err, dir);
  }
}

/** Opens frugal.db when it exists (bringing its schema up to date), or returns undefined: reading creates nothing. */
export function openExistingDb(dir: string): Db | undefined {
  return existsSync(dbPath(dir)) ? openDb(dir) : undefined;
}
