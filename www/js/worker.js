// The training worker: owns one wasm session and runs steps off the page's main thread. What is
// trained comes from a task module (tasks/gan.js, tasks/writer.js); this file is the part every
// demo shares: the run loop, pacing of extra reads, NaN and failure handling, autosave.
// Messages in:  init {task, backend, batch, lr, seed, weights?, …task settings}, start, pause,
//               step, set {lr?, batch?}, save, load {bytes}, and the task's own messages
// Messages out: progress, ready, step, running, saved, loaded, error, fatal, and the task's own
import init from '../pkg/kindling.js';

let task = null; // what tasks/<name>.js create() returned
let running = false;
let busy = false; // a step or a read is in flight
let autosave = null; // the newest weights that trained without trouble
let autosaveStep = -1;
const recent = []; // step end times, for steps/s

const post = (message, transfer) => self.postMessage(message, transfer ?? []);

/** Fetch a gzipped file with progress (`label` names it in the page), then gunzip it. */
async function fetchGz(url, label) {
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
    post({ type: 'progress', label, loaded, total });
  }
  const gz = new Blob(chunks).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}

// Extra reads (samples, held-out losses) can cost as much as a step on a slow backend, so each
// waits at least its `interval` (ms) and at least four times its own last duration. One with
// `everySteps` also waits for that many steps, or for `maxWait` ms and one step if sooner.
function due(extra, now, step) {
  if (extra.everySteps && step - (extra.lastStep ?? 0) < extra.everySteps) {
    return extra.maxWait !== undefined && now - (extra.last ?? 0) > extra.maxWait && step > (extra.lastStep ?? 0);
  }
  return now - (extra.last ?? 0) > Math.max(extra.interval ?? 0, 4 * (extra.cost ?? 0));
}

async function runExtra(extra, step) {
  const t0 = performance.now();
  await extra.run();
  const t1 = performance.now();
  Object.assign(extra, { last: t1, cost: t1 - t0, lastStep: step });
}

/**
 * Run the extras that are due. `when` is 'start' (a new model: ready, loaded, first step: all
 * run), 'manual' (a step the reader asked for while paused: all but those marked
 * `manual: false`) or 'loop' (while running: those whose time has come).
 */
async function runExtras(step, when) {
  const now = performance.now();
  for (const extra of Object.values(task.extras)) {
    const run = when === 'start' || (when === 'manual' && extra.manual !== false) || due(extra, now, step);
    if (run) await runExtra(extra, step);
  }
}

async function oneStep() {
  const t0 = performance.now();
  const { losses, ...fields } = await task.step();
  const step = task.session.steps;
  const now = performance.now();
  recent.push(now);
  while (recent.length > 20) recent.shift();
  const rate = recent.length > 1 ? ((recent.length - 1) * 1000) / (now - recent[0]) : 0;
  // stepMs: the update alone, loss read back included (what the benchmark reports).
  post({ type: 'step', step, ...fields, stepsPerSec: rate, stepMs: now - t0 });
  const bad = losses.find((l) => !Number.isFinite(l));
  if (bad !== undefined) {
    running = false;
    post({ type: 'running', running });
    post({
      type: 'error',
      kind: 'nan',
      message: `The loss became ${Number.isNaN(bad) ? 'NaN' : 'infinite'} at step ${step}, ` +
        'so training paused. Lower the learning rate and reset, or load saved weights.',
    });
    return false;
  }
  // Keep the newest healthy weights in the worker so a crash loses little (CPU reads are cheap;
  // on the GPU a read of every weight is slower, so less often).
  const every = task.session.backend === 'cpu' ? 200 : 500;
  if (step - autosaveStep >= every) {
    autosave = await task.session.save();
    autosaveStep = step;
  }
  await runExtras(step, step === 1 ? 'start' : running ? 'loop' : 'manual');
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
  async init(settings) {
    await init();
    const module = await import(`./tasks/${settings.task}.js`);
    task = await module.create({ settings, post, fetchGz });
    if (settings.weights) task.session.load(new Uint8Array(settings.weights));
    autosave = await task.session.save();
    autosaveStep = task.session.steps;
    post({ type: 'ready', backend: task.session.backend, ...task.ready });
    await runExtras(0, 'start');
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
    if (lr !== undefined) task.session.setLearningRate(lr);
    if (batch !== undefined) task.session.setBatchSize(batch);
  },
  async save() {
    const bytes = await task.session.save();
    post({ type: 'saved', step: task.session.steps, bytes }, [bytes.buffer]);
  },
  async load({ bytes }) {
    task.session.load(new Uint8Array(bytes)); // throws a clear message, keeping the old weights
    autosave = await task.session.save();
    autosaveStep = task.session.steps;
    post({ type: 'loaded', step: task.session.steps });
    await runExtras(task.session.steps, 'start');
  },
};

self.onmessage = async ({ data }) => {
  const handler = handlers[data.type] ?? task?.handlers?.[data.type];
  if (!handler) return;
  if (data.type === 'start' || data.type === 'pause') return handler(data);
  // Wait for a step in flight rather than dropping the request.
  while (busy) await new Promise((r) => setTimeout(r, 5));
  await guarded(() => handler(data));
};
