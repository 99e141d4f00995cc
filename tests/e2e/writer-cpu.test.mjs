// The writing demo on the CPU backend (no WebGPU): trains on names, writes samples, continues
// a prompt and draws its attention; refuses foreign characters and wrong weights; loads the
// pretrained model; switches to Moby-Dick.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, WRITER, click, openDemo, screenshot, start, stats, waitFor } from './harness.mjs';

let env;

before(async () => {
  env = await start({ webgpu: false });
});
after(async () => env?.close());

const type = (page, text) => page.locator(`${WRITER} .prompt`).fill(text);

test('falls back to the CPU, trains on names, and the validation loss falls', { timeout: 600_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, {
    demo: 'writer', batch: '16', lr: '0.003', prompt: 'em',
  });
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 180_000, WRITER);
  let s = await stats(page, WRITER);
  assert.equal(s.state, 'ready', s.message);
  assert.equal(s.backend, 'cpu');
  assert.equal(s.info.nLayer, 2);
  assert.equal(s.info.nEmbd, 64);
  // Samples and the prompt's heatmap appear before any training.
  await waitFor(page, 's => s.samples.length > 0 && s.heatmap !== null', 60_000, WRITER);
  s = await stats(page, WRITER);
  assert.equal(s.samples.length, 12);
  assert.deepEqual(s.heatmap.tokens, ['⏎', 'e', 'm']);
  assert.equal(s.heatmap.width, s.heatmap.margin + 3 * s.heatmap.cell);
  const untrained = s.samples;

  await click(page, '.start', WRITER);
  await waitFor(page, 's => s.steps >= 250 && s.sampleStep >= 200', 400_000, WRITER);
  await click(page, '.start', WRITER);
  await waitFor(page, 's => s.state === "paused"', 60_000, WRITER);
  s = await stats(page, WRITER);
  await screenshot(page, 'writer-cpu-names');
  const val = s.validation.map(([, loss]) => loss);
  assert.ok(val.length >= 3, `only ${val.length} validation points`);
  assert.ok(val.every(Number.isFinite));
  assert.ok(val.at(-1) < val[0] - 0.5, `validation loss went from ${val[0]} to ${val.at(-1)}`);
  assert.ok(s.tokensPerSec > 0);
  assert.notDeepEqual(s.samples, untrained, 'samples did not change with training');
  const letters = /^[a-z-]*$/;
  assert.ok(s.samples.every((t) => letters.test(t)), `samples: ${s.samples}`);
  assert.ok(s.completion.text.length > 0 && letters.test(s.completion.text), `completion: ${s.completion.text}`);

  // A longer prompt resizes the map; another head and layer redraw it.
  await type(page, 'annabel');
  await waitFor(page, 's => s.heatmap && s.heatmap.len === 8', 60_000, WRITER);
  await page.locator(`${WRITER} .layer`).selectOption({ value: '1' });
  await page.locator(`${WRITER} .head`).selectOption({ value: '2' });
  s = await stats(page, WRITER);
  assert.equal(s.heatmap.layer, 1);
  assert.equal(s.heatmap.head, '2');
  assert.equal(s.heatmap.height, s.heatmap.margin + 8 * s.heatmap.cell);
  // The drawn map is dark on and below the diagonal, white above it (causal).
  const [above, onDiagonal] = await page.evaluate(() => {
    const el = document.querySelector('kindling-writer');
    const { cell, margin, len } = el.stats.heatmap;
    const ctx = el.shadowRoot.querySelector('.heatmap').getContext('2d');
    const at = (i, j) => ctx.getImageData(margin + j * cell + 1, margin + i * cell + 1, 1, 1).data[0];
    return [at(0, len - 1), at(0, 0)];
  });
  assert.equal(above, 255, 'a query attends to a later key');
  assert.ok(onDiagonal < 50, `the first character does not attend to itself (${onDiagonal})`);
  await screenshot(page, 'writer-cpu-heatmap');

  await type(page, 'zoë');
  await waitFor(page, 's => /not one of the model/.test(s.message ?? "")', 60_000, WRITER);
  assert.deepEqual(errors, []);
});

test('pretrained names load and write name-like samples; wrong weights are refused', { timeout: 300_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, { demo: 'writer', backend: 'cpu' });
  await waitFor(page, 's => s.state === "ready" && s.validation.length >= 1', 180_000, WRITER);
  const untrained = (await stats(page, WRITER)).validation[0][1];

  const bad = join(ARTIFACTS, 'corrupt-writer.bpk');
  writeFileSync(bad, Buffer.from('this is not a weights file'));
  await page.locator(`${WRITER} .load`).setInputFiles(bad);
  await waitFor(page, 's => /not a kindling weights file/.test(s.message ?? "")', 60_000, WRITER);

  await click(page, '.pretrained', WRITER);
  await waitFor(page, 's => /Weights loaded/.test(s.message ?? "") && s.validation.length >= 2', 120_000, WRITER);
  const s = await stats(page, WRITER);
  const loaded = s.validation.at(-1)[1];
  await screenshot(page, 'writer-cpu-pretrained');
  assert.ok(loaded < 2.3, `pretrained validation loss ${loaded}`);
  assert.ok(loaded < untrained - 0.8, `${untrained} → ${loaded}`);
  assert.deepEqual(errors, []);
});

test('Moby-Dick trains as a character stream', { timeout: 300_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, {
    demo: 'writer', backend: 'cpu', dataset: 'moby-dick', preset: 'tiny', batch: '4', prompt: 'Call me',
  });
  await waitFor(page, 's => s.state === "ready" && s.samples.length > 0 && s.heatmap', 180_000, WRITER);
  let s = await stats(page, WRITER);
  assert.deepEqual(s.heatmap.tokens, [...'Call me']);
  assert.equal(s.samples.length, 2);
  await click(page, '.single', WRITER);
  await waitFor(page, 's => s.steps >= 1', 60_000, WRITER);
  s = await stats(page, WRITER);
  assert.ok(Number.isFinite(s.losses[0][1]));
  assert.ok(s.info.vocab.length > 60, `vocabulary of ${s.info.vocab.length}`);
  assert.deepEqual(errors, []);
});
