#!/usr/bin/env node
// Writes `<file>.br` and `<file>.gz` beside every text or wasm asset of the
// built web app (frontend/dist), once, at the highest settings: the server
// picks one by the browser's Accept-Encoding instead of compressing on each
// request, and a first visit downloads a third of the bytes. A variant that
// would not be smaller is not written.
//
//   node scripts/precompress.js frontend/dist
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const COMPRESSIBLE = new Set([".wasm", ".js", ".css", ".html", ".svg", ".json", ".txt", ".map"]);

const dir = process.argv[2];
if (!dir) {
  console.error("usage: precompress.js <dist dir>");
  process.exit(2);
}

let before = 0;
let after = 0;
for (const name of fs.readdirSync(dir)) {
  const file = path.join(dir, name);
  if (!fs.statSync(file).isFile() || !COMPRESSIBLE.has(path.extname(name))) {
    continue;
  }
  const bytes = fs.readFileSync(file);
  const variants = {
    ".br": zlib.brotliCompressSync(bytes, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
    ".gz": zlib.gzipSync(bytes, { level: zlib.constants.Z_BEST_COMPRESSION }),
  };
  before += bytes.length;
  let smallest = bytes.length;
  for (const [ext, packed] of Object.entries(variants)) {
    if (packed.length < bytes.length) {
      fs.writeFileSync(file + ext, packed);
      smallest = Math.min(smallest, packed.length);
    } else {
      fs.rmSync(file + ext, { force: true });
    }
  }
  after += smallest;
}
console.log(`precompressed ${dir}: ${before} bytes, ${after} with brotli`);
