'use strict';
// A V8 code cache for the bundle (Node 20 has no module.enableCompileCache): the first run of a
// chunk keeps the code V8 compiled for it, next to the policy cache ($XDG_CACHE_HOME/frugal/code,
// else ~/.cache/frugal/code); later runs start from it instead of parsing and compiling again.
//
// Only chunks whose file name carries their content hash (dist/warm-AbCd1234.js) are cached, so a
// rebuilt bundle never meets code compiled for another, and only those without import(), which
// code compiled this way cannot do on Node 20 (scripts/build.js leaves it only where the live views
// load); each file also records the length and modification time of the source it was made from
// and a checksum of its bytes, because V8 (as Node 20 builds it) compares only the source's length
// and does not verify the data (the sum is worked out once per file: see read). A file that is
// missing, stale, corrupt or rejected by V8 (another Node) costs one ordinary compile and is written
// again; nothing about the cache can make a run fail.
//
// The build ships such files too, in dist/code/ (scripts/ship-code-cache.js runs the built CLI with
// FRUGAL_CODE_CACHE_OUT set, which makes this file write there instead), so that a first run after
// `npm ci` starts from compiled code: they are read when the user's cache has none for a chunk.
// They are checked as strictly, except for the source's modification time, which npm does not
// keep (a published package's files all carry the same date): the chunk's content-hashed name, its
// length, V8 version and arch (the file's name) and the checksum stand for it. Nothing is written
// into dist/ at run time: a shipped file that fails a check or that V8 rejects costs one ordinary
// compile, and the user's cache gets the chunk as before.
// The CommonJS loader's Module, as require('node:module') gives it, without loading that module's
// ES module parts (half a millisecond).
const Module = module.constructor;
const { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');

const HASHED = /-[\w-]{8}\.js$/;
const DYNAMIC_IMPORT = /\bimport\s*\(/;
const MAGIC = 0x31475246; // "FRG1": the user's cache
const SHIPPED = 0x31535246; // "FRS1": made by the build, in dist/code/
// magic, source length, data length, data checksum (uint32 each), source mtime (float64; 0 when shipped)
const HEADER = 24;
/** In the user's cache folder: which files passed their checksum, by stat signature. */
const VERIFIED = 'verified.json';

/** FNV-1a over 32-bit words: every change to a single word changes the result. */
function checksum(bytes) {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >> 2);
  let h = 0x811c9dc5 ^ bytes.length;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  for (let i = words.length << 2; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** The folder for this copy of frugal: installs side by side keep their own. */
function folder(env, dist) {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  if (!base) return undefined;
  let h = 0x811c9dc5;
  for (let i = 0; i < dist.length; i++) h = Math.imul(h ^ dist.charCodeAt(i), 0x01000193);
  return join(base, 'frugal', 'code', (h >>> 0).toString(16).padStart(8, '0'));
}

/** What stat says of an open file: a file written again (always a new inode here), or touched, differs. */
const signature = (info) => `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;

/**
 * The cached data for this source when a file of this kind (magic) checks out; false when there is
 * a file that does not, undefined when there is none.
 *
 * The checksum (some 2.5 ms for the warm chunk's 220 kB) is worked out once per file: `verified`
 * holds the stat signature of each file that passed it, and a file whose signature is unchanged
 * since is not summed again, as git trusts the stat data of files it has hashed. Files here are
 * only ever replaced by a rename, which gives them a new inode, so a rewritten, touched or torn file
 * is summed in full.
 */
function read(file, magic, source, verified) {
  let buf;
  let seen;
  let fd;
  try {
    fd = openSync(file, 'r');
    seen = signature(fstatSync(fd));
    buf = readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (buf.length <= HEADER || buf.readUInt32LE(0) !== magic || buf.readUInt32LE(4) !== source.length || buf.readUInt32LE(8) !== buf.length - HEADER) return false;
  if (magic === MAGIC && buf.readDoubleLE(16) !== source.mtimeMs) return false;
  const data = buf.subarray(HEADER);
  if (verified.known.get(file) === seen) return data;
  if (checksum(data) !== buf.readUInt32LE(12)) return false;
  verified.known.set(file, seen);
  verified.changed = true;
  return data;
}

/** The signatures of the files that passed their checksum (see read), kept in the user's cache folder. */
function readVerified(dir) {
  const known = new Map();
  try {
    const entries = JSON.parse(readFileSync(join(dir, VERIFIED), 'utf8'));
    for (const [file, seen] of Object.entries(entries)) if (typeof seen === 'string') known.set(file, seen);
  } catch {
    // None yet, or unreadable: every file is summed.
  }
  return { known, changed: false };
}

function write(file, magic, source, data) {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32LE(magic, 0);
  header.writeUInt32LE(source.length, 4);
  header.writeUInt32LE(data.length, 8);
  header.writeUInt32LE(checksum(data), 12);
  header.writeDoubleLE(magic === MAGIC ? source.mtimeMs : 0, 16);
  replaceFile(file, Buffer.concat([header, data]), magic === MAGIC ? 0o600 : 0o644);
}

/** Writes a file whole or not at all: a new file (a new inode) renamed over the old. */
function replaceFile(file, bytes, mode) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes, { mode });
  renameSync(tmp, file);
}

/** Compile the bundle's chunks in `dist` through the cache from now on. Does nothing where it cannot. */
function install(dist, env) {
  // The build's runs (FRUGAL_CODE_CACHE_OUT) make shipped files and read nothing else; other runs
  // read the user's cache, then dist/code/, and write only the user's cache.
  const out = env.FRUGAL_CODE_CACHE_OUT || undefined;
  const dir = out ?? folder(env, dist);
  const magic = out ? SHIPPED : MAGIC;
  const shipped = out ? undefined : join(dist, 'code');
  if (!dir && !shipped) return;
  const suffix = `.${process.version}-${process.arch}.bin`;
  const compile = Module.prototype._compile;
  const made = [];
  const stale = [];
  let verified;
  Module.prototype._compile = function (content, filename) {
    if (dirname(filename) !== dist || !HASHED.test(filename) || DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename);
    const name = basename(filename, '.js') + suffix;
    const file = dir && join(dir, name);
    let source;
    try {
      source = { length: content.length, mtimeMs: magic === MAGIC ? statSync(filename).mtimeMs : 0 };
    } catch {
      return compile.call(this, content, filename);
    }
    // The build's own runs (out) sum every file: they keep no record.
    verified ??= dir && !out ? readVerified(dir) : { known: new Map(), changed: false };
    const own = file ? read(file, magic, source, verified) : undefined;
    const cachedData = own || (shipped ? read(join(shipped, name), SHIPPED, source, verified) : undefined) || undefined;
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      return compile.call(this, content, filename); // let Node report it as it would
    }
    if (file && (cachedData === undefined || script.cachedDataRejected)) made.push({ script, file, source });
    else if (file && own === false) stale.push(file); // the shipped file stands in for it from now on
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dist);
  };
  process.once('exit', () => {
    try {
      for (const file of stale) rmSync(file, { force: true });
      if (made.length === 0 && !verified?.changed) return;
      mkdirSync(dir, { recursive: true, mode: out ? 0o755 : 0o700 });
      for (const { script, file, source } of made) write(file, magic, source, script.createCachedData());
      // Chunks of earlier builds of this copy are gone from dist/: their code goes too.
      const chunks = new Set(readdirSync(dist));
      for (const name of readdirSync(dir)) {
        if (name !== VERIFIED && !chunks.has(name.replace(/\.v[^-]+-[^.]+\.bin(\.\d+\.tmp)?$/, '.js'))) rmSync(join(dir, name), { force: true });
      }
      if (verified?.changed) {
        const entries = {};
        for (const [file, seen] of verified.known) {
          try {
            statSync(file);
            entries[file] = seen;
          } catch {
            // gone: forgotten
          }
        }
        replaceFile(join(dir, VERIFIED), JSON.stringify(entries), 0o600);
      }
    } catch {
      // A cache that cannot be written only costs time.
    }
  });
}

module.exports = { install, checksum, HEADER, MAGIC, SHIPPED };
