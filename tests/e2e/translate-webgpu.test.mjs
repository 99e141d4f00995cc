// The translation demo on WebGPU (SwiftShader in headless Chromium): trains on reversing,
// held-out exact match rises, and the cross-attention map is drawn at the typed input's size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { click, openDemo, screenshot, start, stats, waitFor } from './harness.mjs';

const TRANSLATE = 'kindling-translate';
// SwiftShader is slow; a small model, a high learning rate and short decoding keep this to
// minutes. Exact match starts at 0 and the shortest strings are learnt first, so any rise shows
// learning.
const PARAMS = {
  demo: 'translate', backend: 'webgpu', task: 'reverse', batch: '32', lr: '0.005', seed: '2',
  input: 'abcd', n_layer: '1', n_embd: '32',
};
let env;

before(async () => {
  env = await start({ webgpu: true });
});
after(async () => env?.close());

test('trains on WebGPU: held-out exact match rises, heatmap fits the typed input', { timeout: 1_200_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, PARAMS);
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 300_000, TRANSLATE);
  let s = await stats(page, TRANSLATE);
  assert.equal(s.state, 'ready', `demo failed to start: ${s.message}`);
  assert.equal(s.backend, 'webgpu');
  await waitFor(page, 's => s.heldOut.length > 0 && s.explained', 300_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  const first = s.heldOut[0][1];
  assert.equal(s.heatmap.cols, 4);

  await click(page, '.start', TRANSLATE);
  await waitFor(page, `s => s.heldOut.at(-1)[1] > ${first}`, 900_000, TRANSLATE);
  await click(page, '.start', TRANSLATE);
  await waitFor(page, 's => s.state === "paused"', 120_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  await screenshot(page, 'translate-webgpu');
  for (const [step, loss] of s.losses) assert.ok(Number.isFinite(loss), `step ${step}: loss ${loss}`);
  assert.equal(s.heatmap.cols, 4);
  assert.equal(s.heatmap.rows, s.explained.output.length + 1);
  assert.equal(s.heatmap.cross.width, s.heatmap.cross.margin + 4 * s.heatmap.cross.cell);
  assert.deepEqual(errors, []);
});
