// Browser half of the benchmark (`./build.sh bench` runs the native half first), in headless
// Chromium, losses read back every step as the page always does: GAN steps/s and the time from
// page load to the first drawn sample grid; the writing demo's steps/s and tokens/s for the
// "small" Transformer at batch 32 on Moby-Dick (the page's periodic validation and samples
// included, as a reader sees it). Prints figures; asserts nothing.
// Usage: node tools/bench.mjs [--backend webgpu|cpu] [--steps N] [--demo gan|writer]
import { WRITER, openDemo, start, stats, waitFor } from '../e2e/harness.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).join(' ').split('--').filter(Boolean).map((a) => a.trim().split(/\s+/)),
);
const backends = args.backend ? [args.backend] : ['webgpu', 'cpu'];
const stepsFor = (backend) => Number(args.steps ?? (backend === 'cpu' ? 30 : 5));

for (const backend of backends) {
  const env = await start({ webgpu: backend === 'webgpu' });
  try {
    const steps = stepsFor(backend);
    for (const batch of args.demo === 'writer' ? [] : [16, 64]) {
      const t0 = Date.now();
      const { page } = await openDemo(env.context, env.url, { demo: 'gan', backend, batch, autostart: '1' });
      await waitFor(page, 's => s.grids >= 1 || s.state === "failed"', 600_000);
      const firstGrid = Date.now() - t0;
      // The first step compiles shaders (WebGPU) or warms caches: time the ones after it.
      await waitFor(page, 's => s.steps >= 1', 600_000);
      const t1 = await page.evaluate(() => performance.now());
      await waitFor(page, `s => s.steps >= ${1 + steps}`, 1_800_000);
      const t2 = await page.evaluate(() => performance.now());
      const rate = (steps * 1000) / (t2 - t1);
      const adapter = await page.evaluate(() => document.querySelector('kindling-gan').stats.adapter);
      console.log(
        `browser ${backend}${adapter ? ` (${adapter})` : ''}, gan batch ${batch}: ` +
          `${rate.toFixed(3)} steps/s (${(1000 / rate).toFixed(0)} ms/step, ${steps} steps); ` +
          `page load to first grid ${firstGrid} ms`,
      );
      await page.close();
    }
    if (args.demo !== 'gan') {
      const params = { demo: 'writer', backend, dataset: 'moby-dick', preset: 'small', batch: 32, autostart: '1' };
      const { page } = await openDemo(env.context, env.url, params);
      await waitFor(page, 's => s.steps >= 1 || s.state === "failed"', 900_000, WRITER);
      const t1 = await page.evaluate(() => performance.now());
      await waitFor(page, `s => s.steps >= ${1 + steps}`, 3_600_000, WRITER);
      const t2 = await page.evaluate(() => performance.now());
      const { adapter, info, stepMs } = await stats(page, WRITER);
      // The update alone (loss read back included), after the first, which compiles or warms.
      const ms = stepMs.slice(1, 1 + steps);
      const rate = (ms.length * 1000) / ms.reduce((a, b) => a + b, 0);
      const paged = (steps * 1000) / (t2 - t1);
      const tokens = 32 * info.blockSize;
      console.log(
        `browser ${backend}${adapter ? ` (${adapter})` : ''}, gpt small batch 32 (moby-dick): ` +
          `${rate.toFixed(3)} steps/s, ${(rate * tokens).toFixed(0)} tokens/s ` +
          `(${(1000 / rate).toFixed(0)} ms/step, ${ms.length} steps); ` +
          `with the page's samples and validation in between ${paged.toFixed(3)} steps/s`,
      );
      await page.close();
    }
  } finally {
    await env.close();
  }
}
