#!/usr/bin/env node
'use strict';
// CommonJS, like the bundle it loads (bin/package.json, dist/package.json): see scripts/build.js.
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
require('./code-cache.js').install(dist, process.env);
require(join(dist, 'cli.js')).main(process.argv);
