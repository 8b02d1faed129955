#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts it without its ES module loader; see scripts/build.mjs.
require('../dist/envid.cjs');
