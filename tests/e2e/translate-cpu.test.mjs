// The translation demo on the CPU backend: learns to reverse, fills the held-out table, and
// draws both attention maps at the size of a typed input; the dates task starts and trains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { click, openDemo, screenshot, start, stats, waitFor } from './harness.mjs';

const TRANSLATE = 'kindling-translate';
let env;

before(async () => {
  env = await start({ webgpu: false });
});
after(async () => env?.close());

test('learns to reverse: held-out exact match rises and the maps fit the typed input', { timeout: 900_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, {
    demo: 'translate', backend: 'cpu', task: 'reverse', batch: '64', lr: '0.003', input: 'abcdef',
  });
  await waitFor(page, 's => s.state === "ready" || s.state === "failed"', 180_000, TRANSLATE);
  let s = await stats(page, TRANSLATE);
  assert.equal(s.state, 'ready', s.message);
  await waitFor(page, 's => s.heldOut.length > 0 && s.explained', 60_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  const first = s.heldOut[0][1];
  assert.equal(s.heatmap.cols, 6);
  assert.equal(s.heatmap.rows, s.explained.output.length + 1);

  await click(page, '.start', TRANSLATE);
  await waitFor(page, 's => s.heldOut.length > 1 && s.heldOut.at(-1)[1] >= 0.5', 600_000, TRANSLATE);
  await click(page, '.start', TRANSLATE);
  await waitFor(page, 's => s.state === "paused"', 60_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  assert.ok(s.heldOut.at(-1)[1] > first, `exact match ${first} → ${s.heldOut.at(-1)[1]}`);
  assert.equal(s.table.rows, 10);
  assert.ok(s.table.right > 0);

  await page.locator(`${TRANSLATE} .input`).fill('lkjih');
  await waitFor(page, 's => s.explained && s.explained.input === "lkjih"', 60_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  assert.equal(s.heatmap.cols, 5);
  assert.equal(s.heatmap.rows, s.explained.output.length + 1);
  assert.equal(s.heatmap.cross.width, s.heatmap.cross.margin + 5 * s.heatmap.cross.cell);
  assert.equal(s.heatmap.cross.height, s.heatmap.cross.margin + s.heatmap.rows * s.heatmap.cross.cell);
  assert.equal(s.heatmap.encoder.height, s.heatmap.encoder.margin + 5 * s.heatmap.encoder.cell);
  await screenshot(page, 'translate-cpu-reverse');

  await page.locator(`${TRANSLATE} .input`).fill('abz');
  await waitFor(page, 's => /not one of the model/.test(s.message ?? "")', 60_000, TRANSLATE);
  assert.deepEqual(errors, []);
});

test('the dates task states its rule, trains, and the pretrained model translates at once', { timeout: 300_000 }, async () => {
  const { page, errors } = await openDemo(env.context, env.url, { demo: 'translate', backend: 'cpu', batch: '16' });
  await waitFor(page, 's => s.state === "ready" && s.explained', 180_000, TRANSLATE);
  const rule = await page.locator(`${TRANSLATE} .rule`).textContent();
  assert.match(rule, /day first/);
  let s = await stats(page, TRANSLATE);
  assert.equal(s.explained.input, 'Monday, May 3, 1999');
  assert.equal(s.heatmap.cols, 'Monday, May 3, 1999'.length);
  await click(page, '.single', TRANSLATE);
  await waitFor(page, 's => s.steps >= 1', 60_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  assert.ok(Number.isFinite(s.losses[0][1]));

  await click(page, '.pretrained', TRANSLATE);
  await waitFor(page, 's => /Weights loaded/.test(s.message ?? "") && s.heldOut.length >= 3', 120_000, TRANSLATE);
  await waitFor(page, 's => s.explained && s.explained.output === "1999-05-03"', 60_000, TRANSLATE);
  s = await stats(page, TRANSLATE);
  await screenshot(page, 'translate-cpu-dates-pretrained');
  assert.ok(s.heldOut.at(-1)[1] >= 0.9, `pretrained exact match ${s.heldOut.at(-1)[1]}`);
  assert.deepEqual(errors, []);
});
