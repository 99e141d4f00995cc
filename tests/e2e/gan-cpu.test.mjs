// The GAN demo without WebGPU: it falls back to the CPU backend and trains; bad weights files
// are refused with a message while training carries on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, click, difference, gridPixels, openDemo, screenshot, start, stats, waitFor, spread,
} from './harness.mjs';

let env;

before(async () => {
  env = await start({ webgpu: false });
});
after(async () => env?.close());

test('without WebGPU the page falls back to the CPU backend, says why, and trains', { timeout: 600_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, { demo: 'gan', batch: '16', lr: '0.001' });
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 180_000);
  let s = await stats(page);
  assert.equal(s.state, 'ready', s.message);
  assert.equal(s.backend, 'cpu');
  assert.match(s.status, /CPU backend/);
  assert.ok(s.reason.length > 0);

  await click(page, '.single');
  await waitFor(page, 's => s.gridStep >= 1', 60_000);
  const early = await gridPixels(page);
  await click(page, '.start');
  await waitFor(page, 's => s.steps >= 30', 300_000);
  await click(page, '.start');
  await waitFor(page, 's => s.state === "paused"', 60_000);
  await click(page, '.single');
  s = await stats(page);
  await waitFor(page, `s => s.gridStep > ${s.steps}`, 60_000);
  s = await stats(page);
  const later = await gridPixels(page);
  await screenshot(page, 'gan-cpu-trained');
  assert.ok(s.losses.every(([, d, g]) => Number.isFinite(d) && Number.isFinite(g)));
  assert.ok(spread(later) > 10, 'the sample grid is blank');
  assert.ok(difference(early, later, 2) > 0.01, 'the grid did not change while training');
  assert.deepEqual(errors, []);
});

test('a corrupt weights file gets a clear message and the model keeps training', { timeout: 300_000 }, async () => {
  const { page } = await openDemo(env.context, env.url, { demo: 'gan', backend: 'cpu', batch: '8' });
  await waitFor(page, 's => s.state === "ready"', 180_000);
  await click(page, '.single');
  await waitFor(page, 's => s.gridStep >= 1', 60_000);
  const before = await gridPixels(page);

  const bad = join(ARTIFACTS, 'corrupt.bpk');
  writeFileSync(bad, Buffer.from('this is not a weights file'));
  await page.locator('kindling-gan .load').setInputFiles(bad);
  await waitFor(page, 's => /not a kindling weights file/.test(s.message ?? "")', 60_000);
  await screenshot(page, 'gan-cpu-corrupt-weights');
  assert.deepEqual(await gridPixels(page), before, 'a refused file changed the model');

  await click(page, '.single');
  await waitFor(page, 's => s.steps >= 2', 60_000);
});

test('the shipped pretrained weights load and draw digits at once', { timeout: 300_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, { demo: 'gan', backend: 'cpu' });
  await waitFor(page, 's => s.state === "ready" && s.grids >= 1', 180_000);
  const untrained = await gridPixels(page);
  await click(page, '.pretrained');
  await waitFor(page, 's => /Weights loaded/.test(s.message ?? "") && s.grids >= 2', 120_000);
  const pretrained = await gridPixels(page);
  await screenshot(page, 'gan-cpu-pretrained');
  // Trained digits are mostly black background with bright strokes; the untrained generator
  // draws mid-grey noise. So the grid changes a lot and becomes darker on average.
  assert.ok(difference(untrained, pretrained) > 0.3, 'pretrained grid looks like the untrained one');
  const mean = (px) => px.reduce((a, b) => a + b, 0) / px.length;
  assert.ok(mean(pretrained) < mean(untrained), 'pretrained samples are not digit-like');
  assert.deepEqual(errors, []);
});
