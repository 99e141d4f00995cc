// The training worker: owns one wasm GanSession and runs steps off the page's main thread.
// Messages in:  init {backend, batch, lr, seed, dataUrl, weights?}, start, pause, step,
//               set {lr?, batch?}, save, load {bytes}
// Messages out: progress, ready, step, grid, holdout, running, saved, loaded, error, fatal
import init, { GanSession } from '../pkg/kindling.js';

let session = null;
let running = false;
let busy = false; // a step or a read is in flight
// Extra reads (the sample grid, the held-out loss) cost as much as a step on a slow backend,
// so each waits at least `interval` and at least four times its own last duration.
const extras = {
  grid: { last: 0, cost: 0, interval: 500 },
  holdout: { last: 0, cost: 0, interval: 3000 },
};
const due = (name, now) => now - extras[name].last > Math.max(extras[name].interval, 4 * extras[name].cost);

async function timed(name, work) {
  const t0 = performance.now();
  await work();
  const t1 = performance.now();
  Object.assign(extras[name], { last: t1, cost: t1 - t0 });
}
let autosave = null; // the newest weights that trained without trouble
let autosaveStep = -1;
const recent = []; // step end times, for steps/s

const post = (message, transfer) => self.postMessage(message, transfer ?? []);

/** Fetch the gzipped digits with progress, then gunzip them in the browser. */
async function fetchDigits(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch ${url}: HTTP ${response.status}`);
  const total = Number(response.headers.get('Content-Length')) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    post({ type: 'progress', loaded, total });
  }
  const gz = new Blob(chunks).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}

async function sendGrid() {
  const pixels = await session.grid();
  post({ type: 'grid', step: session.steps, side: GanSession.gridSide(), pixels }, [pixels.buffer]);
}

async function sendHoldout() {
  const loss = await session.holdoutLoss();
  post({ type: 'holdout', step: session.steps, loss });
}

async function oneStep() {
  const [lossD, lossG] = await session.step();
  const step = session.steps;
  const now = performance.now();
  recent.push(now);
  while (recent.length > 20) recent.shift();
  const rate = recent.length > 1 ? ((recent.length - 1) * 1000) / (now - recent[0]) : 0;
  post({ type: 'step', step, lossD, lossG, stepsPerSec: rate });
  if (!Number.isFinite(lossD) || !Number.isFinite(lossG)) {
    running = false;
    post({ type: 'running', running });
    post({
      type: 'error',
      kind: 'nan',
      message: `The loss became ${Number.isNaN(lossD + lossG) ? 'NaN' : 'infinite'} at step ${step}, ` +
        'so training paused. Lower the learning rate and reset, or load saved weights.',
    });
    return false;
  }
  // Keep the newest healthy weights in the worker so a crash loses little (CPU reads are cheap;
  // on the GPU this is a 5 MB read, so less often).
  const every = session.backend === 'cpu' ? 200 : 500;
  if (step - autosaveStep >= every) {
    autosave = await session.save();
    autosaveStep = step;
  }
  if (step === 1 || !running || due('grid', now)) await timed('grid', sendGrid);
  if (step === 1 || due('holdout', now)) await timed('holdout', sendHoldout);
  return true;
}

/** Run `work` unless another call is in flight; engine failures become a 'fatal' message. */
async function guarded(work) {
  if (busy) return;
  busy = true;
  try {
    await work();
  } catch (err) {
    running = false;
    const message = String(err?.message ?? err);
    // A JsError raised on purpose by kindling is a plain Error; anything else (a wasm trap,
    // a lost GPU device) leaves the engine unusable.
    const fatal = err instanceof WebAssembly.RuntimeError || /unreachable|device (was |is )?lost|devicelost/i.test(message);
    if (fatal) {
      post({ type: 'fatal', message, autosave, autosaveStep });
    } else {
      post({ type: 'error', kind: 'engine', message });
    }
    post({ type: 'running', running });
  } finally {
    busy = false;
  }
}

async function loop() {
  while (running) {
    let ok = true;
    await guarded(async () => {
      ok = await oneStep();
    });
    if (!ok) break;
    // Let queued messages (pause, save, …) in between steps.
    await new Promise((r) => setTimeout(r, 0));
  }
}

const handlers = {
  async init({ backend, batch, lr, seed, dataUrl, weights }) {
    await init();
    const digits = await fetchDigits(dataUrl);
    session = await GanSession.create(backend, digits, batch, lr, BigInt(seed));
    if (weights) session.load(new Uint8Array(weights));
    autosave = await session.save();
    autosaveStep = session.steps;
    post({ type: 'ready', backend: session.backend, digits: (digits.length - 12) / 785 });
    await sendGrid();
  },
  start() {
    if (running) return;
    running = true;
    post({ type: 'running', running });
    loop();
  },
  pause() {
    running = false;
    post({ type: 'running', running });
  },
  async step() {
    if (!running) await oneStep(); // already inside guarded()
  },
  set({ lr, batch }) {
    if (lr !== undefined) session.setLearningRate(lr);
    if (batch !== undefined) session.setBatchSize(batch);
  },
  async save() {
    const bytes = await session.save();
    post({ type: 'saved', step: session.steps, bytes }, [bytes.buffer]);
  },
  async load({ bytes }) {
    session.load(new Uint8Array(bytes)); // throws a clear message, keeping the old weights
    autosave = await session.save();
    autosaveStep = session.steps;
    post({ type: 'loaded', step: session.steps });
    await sendGrid();
  },
};

self.onmessage = async ({ data }) => {
  const handler = handlers[data.type];
  if (!handler) return;
  if (data.type === 'start' || data.type === 'pause') return handler(data);
  // Wait for a step in flight rather than dropping the request.
  while (busy) await new Promise((r) => setTimeout(r, 5));
  await guarded(() => handler(data));
};
