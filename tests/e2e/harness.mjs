// Shared set-up for the browser tests: a static server for www/ and headless Chromium, with or
// without WebGPU (SwiftShader, a CPU implementation: the only WebGPU a GPU-less machine has).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../tools/serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const WWW = join(HERE, '..', '..', 'www');
export const ARTIFACTS = join(HERE, '..', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Start the server and a browser; returns { url, browser, close }. */
export async function start({ webgpu }) {
  const server = await serve(WWW, 0);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const userDataDir = mkdtempSync(join(tmpdir(), 'kindling-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: false, // --headless=new is passed below: WebGPU needs the new headless mode
    args: [...BASE_ARGS, ...(webgpu ? WEBGPU_ARGS : [])],
    acceptDownloads: true,
    viewport: { width: 1100, height: 800 },
  });
  return {
    url,
    context,
    async close() {
      await context.close();
      server.close();
    },
  };
}

/** Open the demo page with URL settings and collect console errors. */
export async function openDemo(context, url, params) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${url}?${new URLSearchParams(params)}`);
  return { page, errors };
}

export const GAN = 'kindling-gan';
export const WRITER = 'kindling-writer';

/** A demo element's public stats (a copy). */
export const stats = (page, tag = GAN) =>
  page.evaluate((tag) => structuredClone(document.querySelector(tag).stats), tag);

/** Wait until a demo's stats satisfy `predicate` (a function source evaluated in the page). */
export async function waitFor(page, predicate, timeout, tag = GAN) {
  await page.waitForFunction(
    `(() => { const s = document.querySelector('${tag}').stats; return (${predicate})(s); })()`,
    null,
    { timeout, polling: 250 },
  );
}

/** The sample grid's grey pixels, as a plain array. */
export const gridPixels = (page) =>
  page.evaluate(() => {
    const canvas = document.querySelector('kindling-gan').shadowRoot.querySelector('.grid');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return Array.from(data.filter((_, i) => i % 4 === 0));
  });

/** Click a control inside a demo element. */
export const click = (page, selector, tag = GAN) => page.locator(`${tag} ${selector}`).click();

export const screenshot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

/** Fraction of pixels that differ by more than `threshold` grey levels. */
export function difference(a, b, threshold = 8) {
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > threshold) changed++;
  return changed / a.length;
}

/** Standard deviation of the pixels: a blank canvas has none. */
export function spread(pixels) {
  const mean = pixels.reduce((s, p) => s + p, 0) / pixels.length;
  return Math.sqrt(pixels.reduce((s, p) => s + (p - mean) ** 2, 0) / pixels.length);
}
