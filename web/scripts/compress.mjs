// Precompresses the built portal (web/dist) for the server's static files
// (src/http/static_files.cc): next to every text asset above 1 KiB it writes file.br
// (brotli, quality 11) and file.gz (gzip, level 9), each only when it is smaller than the
// file. The server picks one by the client's Accept-Encoding; it never compresses at
// request time. Run by `npm run build` after vite build; siblings of removed files go
// with them (vite empties dist/ on every build).
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';

const DIST = new URL('../dist/', import.meta.url).pathname;
const TEXT = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.map', '.txt', '.xml', '.webmanifest', '.wasm']);
const MIN_BYTES = 1024;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let raw = 0;
let br = 0;
let gz = 0;
let count = 0;
for (const path of files(DIST)) {
  if (!TEXT.has(extname(path))) continue;
  const data = readFileSync(path);
  if (data.length < MIN_BYTES) continue;
  const b = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  const g = gzipSync(data, { level: 9 });
  if (b.length < data.length) writeFileSync(path + '.br', b);
  if (g.length < data.length) writeFileSync(path + '.gz', g);
  raw += data.length;
  br += Math.min(b.length, data.length);
  gz += Math.min(g.length, data.length);
  count += 1;
}
const kib = (n) => (n / 1024).toFixed(0) + ' KiB';
console.log(`compress: ${count} files, ${kib(raw)} -> brotli ${kib(br)}, gzip ${kib(gz)}`);
