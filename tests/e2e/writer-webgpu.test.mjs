// The writing demo on WebGPU (SwiftShader in headless Chromium): trains, the validation loss
// falls, samples appear, and the heatmap is drawn at the prompt's size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WRITER, click, openDemo, screenshot, start, stats, waitFor } from './harness.mjs';

// SwiftShader runs WebGPU on the CPU: slow steps and a long first shader compilation, so a
// small batch and a higher learning rate make the fall visible within a few minutes.
const PARAMS = { demo: 'writer', backend: 'webgpu', batch: '8', lr: '0.005', seed: '3', prompt: 'mar' };
const STEPS = 12;
let env;

before(async () => {
  env = await start({ webgpu: true });
});
after(async () => env?.close());

test('trains on WebGPU: validation loss falls, samples appear, heatmap fits the prompt', { timeout: 900_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, PARAMS);
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 300_000, WRITER);
  let s = await stats(page, WRITER);
  assert.equal(s.state, 'ready', `demo failed to start: ${s.message}`);
  assert.equal(s.backend, 'webgpu');
  assert.match(String(s.adapter).toLowerCase(), /swiftshader|google/, `adapter: ${s.adapter}`);

  await waitFor(page, 's => s.samples.length > 0 && s.heatmap !== null && s.validation.length > 0', 300_000, WRITER);
  s = await stats(page, WRITER);
  assert.deepEqual(s.heatmap.tokens, ['⏎', 'm', 'a', 'r']);
  assert.equal(s.heatmap.width, s.heatmap.margin + 4 * s.heatmap.cell);
  const firstSamples = s.samples;

  await click(page, '.start', WRITER);
  await waitFor(page, `s => s.steps >= ${STEPS}`, 600_000, WRITER);
  await click(page, '.start', WRITER);
  await waitFor(page, 's => s.state === "paused"', 120_000, WRITER);
  // One more step while paused refreshes every panel from the trained weights.
  await click(page, '.single', WRITER);
  s = await stats(page, WRITER);
  await waitFor(page, `s => s.sampleStep > ${s.steps} && s.validation.at(-1)[0] > ${s.steps} && s.heatmap.step > ${s.steps}`, 300_000, WRITER);
  s = await stats(page, WRITER);
  await screenshot(page, 'writer-webgpu');
  for (const [step, loss] of s.losses) assert.ok(Number.isFinite(loss), `step ${step}: loss ${loss}`);
  const val = s.validation.map(([, loss]) => loss);
  assert.ok(val.at(-1) < val[0] - 0.3, `validation loss went from ${val[0]} to ${val.at(-1)}`);
  assert.notDeepEqual(s.samples, firstSamples);
  assert.ok(s.samples.every((t) => /^[a-z-]*$/.test(t)), `samples: ${s.samples}`);
  assert.equal(s.heatmap.len, 4);
  assert.deepEqual(errors, []);
});
