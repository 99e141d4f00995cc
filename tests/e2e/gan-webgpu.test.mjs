// The GAN demo on WebGPU (SwiftShader in headless Chromium): trains, draws, saves and loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS, click, difference, gridPixels, openDemo, screenshot, start, stats, waitFor, spread,
} from './harness.mjs';

// SwiftShader runs WebGPU on the CPU: seconds per step, and a long first shader compilation.
// A small batch keeps ten steps within a few minutes.
const PARAMS = { demo: 'gan', backend: 'webgpu', batch: '4', lr: '0.001', seed: '7' };
const STEPS = 10;
let env;

before(async () => {
  env = await start({ webgpu: true });
});
after(async () => env?.close());

test('trains on WebGPU with finite losses, draws a changing grid, and round-trips weights', { timeout: 900_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, PARAMS);
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 300_000);
  let s = await stats(page);
  assert.equal(s.state, 'ready', `demo failed to start: ${s.message}`);
  assert.equal(s.backend, 'webgpu');
  assert.match(String(s.adapter).toLowerCase(), /swiftshader|google/, `adapter: ${s.adapter}`);
  assert.match(s.status, /WebGPU/);

  await click(page, '.single');
  await waitFor(page, 's => s.steps >= 1 && s.gridStep >= 1', 300_000);
  const early = await gridPixels(page);
  await screenshot(page, 'gan-webgpu-step1');

  await click(page, '.start');
  await waitFor(page, `s => s.steps >= ${STEPS}`, 600_000);
  await click(page, '.start'); // pause
  await waitFor(page, 's => s.state === "paused"', 120_000);
  // The grid is redrawn at most every half second; ask for the newest by taking one more step.
  await click(page, '.single');
  await waitFor(page, `s => s.gridStep > ${STEPS}`, 300_000);
  s = await stats(page);
  const later = await gridPixels(page);
  await screenshot(page, 'gan-webgpu-trained');

  assert.ok(s.losses.length >= STEPS, `only ${s.losses.length} steps`);
  for (const [step, d, g] of s.losses) {
    assert.ok(Number.isFinite(d) && Number.isFinite(g), `step ${step}: losses ${d}, ${g}`);
  }
  assert.ok(spread(later) > 10, 'the sample grid is blank');
  const changed = difference(early, later, 2);
  assert.ok(changed > 0.01, `only ${(changed * 100).toFixed(2)}% of grid pixels changed`);

  // Save (a download), then load the same file back: the grid must be the same afterwards.
  const [download] = await Promise.all([page.waitForEvent('download'), click(page, '.save')]);
  const file = join(ARTIFACTS, 'gan-webgpu.bpk');
  await download.saveAs(file);
  assert.ok(readFileSync(file).length > 1_000_000, 'weights file is too small');
  const beforeLoad = await gridPixels(page);
  await page.locator('kindling-gan .load').setInputFiles(file);
  await waitFor(page, 's => /Weights loaded/.test(s.message ?? "")', 300_000);
  await page.waitForTimeout(500);
  assert.deepEqual(await gridPixels(page), beforeLoad, 'loaded weights draw a different grid');
  assert.deepEqual(errors, []);
});
