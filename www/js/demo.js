// What every demo element shares: the worker's life cycle, the backend choice and switch,
// start/pause/step/reset, learning rate, batch and seed, save/load/pretrained weights, the
// loss plot, and the status and error lines. A demo subclasses `DemoElement` and supplies its
// own panel markup and the handling of its own messages.
import { chooseBackend } from './backend.js';
import { LinePlot } from './plot.js';

export const BASE = new URL('..', import.meta.url); // www/

/** The markup every demo has: title, status, `panel` (the demo's own), plot, stats, controls. */
export function frame({ title, subtitle, panel, stats = '', settings = '', defaults }) {
  return `
<link rel="stylesheet" href="${new URL('css/kindling.css', BASE)}">
<section class="demo">
  <header>
    <h2>${title} <small>${subtitle}</small></h2>
    <p class="status" part="status" role="status">Loading…</p>
  </header>
  <div class="body">
    ${panel}
    <div class="side">
      <canvas class="plot" aria-label="loss plot"></canvas>
      <dl class="stats">
        <dt>step</dt><dd class="steps">0</dd>
        <dt>steps/s</dt><dd class="rate">–</dd>
        <dt>backend</dt><dd class="backend">–</dd>
        ${stats}
      </dl>
      <div class="controls">
        <button class="start" disabled>Start</button>
        <button class="single" disabled>Step</button>
        <button class="reset" disabled>Reset</button>
        <button class="save" disabled>Save weights</button>
        <label class="file">Load weights<input class="load" type="file" accept=".bpk" disabled></label>
        <button class="pretrained" disabled title="weights trained natively with the same code">Load pretrained</button>
      </div>
      <div class="settings">
        ${settings}
        <label>learning rate <input class="lr" type="number" step="0.0001" min="0.00001" max="0.1" value="${defaults.lr}"></label>
        <label>batch <input class="batch" type="number" step="1" min="1" max="512" value="${defaults.batch}"></label>
        <label>seed <input class="seed" type="number" step="1" min="0" value="42"></label>
        <label>backend <select class="backend-pick">
          <option value="webgpu">WebGPU</option><option value="cpu">CPU (wasm)</option>
        </select></label>
      </div>
      <p class="message" role="alert" hidden></p>
    </div>
  </div>
</section>`;
}

export class DemoElement extends HTMLElement {
  /**
   * @param {string} name what `?demo=` calls it
   * @param {string} template the shadow DOM, made with `frame`
   * @param {{name: string, color: string}[]} series the loss plot's lines
   */
  constructor(name, template, series) {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = template;
    this.$ = (sel) => this.shadowRoot.querySelector(sel);
    this.name = name;
    this.series = series;
    /** Public, read-only view of the run, for hosts and tests. */
    this.stats = { state: 'loading', backend: null, reason: '', steps: 0, losses: [], stepMs: [] };
    this.worker = null;
  }

  /** An attribute, overridden by the page URL's query (so tests and links can set it). */
  setting(name, fallback) {
    const fromUrl = new URLSearchParams(location.search).get(name);
    return fromUrl ?? this.getAttribute(name) ?? fallback;
  }

  async connectedCallback() {
    if (this.worker) return;
    // `?demo=writer` links to one demo: the others on the page stay out of the way.
    const only = new URLSearchParams(location.search).get('demo');
    if (only && only !== this.name) {
      this.hidden = true;
      return;
    }
    this.plot = new LinePlot(this.$('.plot'), this.series);
    this.plot.draw();
    for (const name of ['lr', 'batch', 'seed']) {
      this.$(`.${name}`).value = this.setting(name, this.$(`.${name}`).value);
    }
    this.bindControls();
    this.bindPanel?.();
    const choice = await chooseBackend(this.setting('backend', 'auto'));
    this.probe = choice.probe;
    this.$('.backend-pick').querySelector('[value=webgpu]').disabled = !choice.probe.ok;
    this.launch(choice.backend, choice.reason);
  }

  disconnectedCallback() {
    this.worker?.terminate();
    this.worker = null;
  }

  send(msg, transfer) {
    this.worker?.postMessage(msg, transfer ?? []);
  }

  bindControls() {
    this.$('.start').onclick = () => this.send({ type: this.stats.state === 'running' ? 'pause' : 'start' });
    this.$('.single').onclick = () => this.send({ type: 'step' });
    this.$('.reset').onclick = () => this.relaunch();
    this.$('.save').onclick = () => this.send({ type: 'save' });
    this.$('.pretrained').onclick = () => this.loadPretrained();
    this.$('.load').onchange = async (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (!file) return;
      const bytes = await file.arrayBuffer();
      this.send({ type: 'load', bytes }, [bytes]);
    };
    this.$('.lr').onchange = () => {
      const lr = Number(this.$('.lr').value);
      if (lr > 0) this.send({ type: 'set', lr });
      else this.showMessage('The learning rate must be a positive number.');
    };
    this.$('.batch').onchange = () => {
      const batch = Math.round(Number(this.$('.batch').value));
      if (batch >= 1 && batch <= 512) this.send({ type: 'set', batch });
      else this.showMessage('The batch size must be between 1 and 512.');
    };
    this.$('.seed').onchange = () => this.relaunch();
    this.$('.backend-pick').onchange = async () => {
      const backend = this.$('.backend-pick').value;
      if (this.stats.state === 'failed') {
        this.launch(backend, 'restarted after a failure', this.rescue?.buffer);
        return;
      }
      // Carry the current weights over to the other backend.
      const weights = await this.request('save', 'saved').catch(() => null);
      this.launch(backend, 'chosen by you', weights?.bytes);
    };
  }

  /** Start again from scratch on the same backend, with the current settings. */
  relaunch() {
    this.launch(this.stats.backend, this.stats.reason);
  }

  async loadPretrained() {
    const url = this.pretrainedUrl();
    if (!url) return;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const bytes = await response.arrayBuffer();
      this.send({ type: 'load', bytes }, [bytes]);
    } catch (err) {
      this.showMessage(`Could not fetch the pretrained weights (${err.message}).`);
    }
  }

  /** Send `type` and resolve with the next `reply` message. */
  request(type, reply) {
    return new Promise((ok, fail) => {
      if (!this.worker) return fail(new Error('no worker'));
      this.pending = { reply, ok, fail };
      this.worker.postMessage({ type });
    });
  }

  /** (Re)start the worker on `backend`, optionally with weights to load. */
  launch(backend, reason, weights) {
    this.worker?.terminate();
    Object.assign(this.stats, { state: 'loading', backend, reason, steps: 0, losses: [], stepMs: [] });
    this.resetPanel?.();
    this.plot.clear();
    this.setControls(false);
    this.$('.backend-pick').value = backend;
    this.$('.backend').textContent = backend === 'webgpu' ? 'WebGPU' : 'CPU (wasm)';
    this.$('.steps').textContent = '0';
    this.$('.rate').textContent = '–';
    this.showMessage('');
    this.setStatus(`Starting on ${backend === 'webgpu' ? 'WebGPU' : 'the CPU'}: ${reason}.`);
    this.worker = new Worker(new URL('worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = ({ data }) => this.onWorker(data);
    this.worker.onerror = (e) => this.fail(`The training worker failed to start (${e.message}).`);
    this.worker.postMessage({
      ...this.initSettings(),
      type: 'init',
      backend,
      batch: Number(this.$('.batch').value),
      lr: Number(this.$('.lr').value),
      seed: Number(this.$('.seed').value),
      weights,
    });
  }

  onWorker(msg) {
    if (this.pending && msg.type === this.pending.reply) {
      this.pending.ok(msg);
      this.pending = null;
      return;
    }
    switch (msg.type) {
      case 'progress': {
        const pct = msg.total ? ` ${Math.round((100 * msg.loaded) / msg.total)}%` : '';
        this.setStatus(`Loading ${msg.label}…${pct} (${(msg.loaded / 1e6).toFixed(1)} MB)`);
        break;
      }
      case 'ready': {
        const where = msg.backend === 'webgpu' ? `WebGPU (${this.probe?.adapter ?? 'GPU'})` : 'the CPU backend (wasm)';
        this.stats.state = 'ready';
        this.stats.adapter = msg.backend === 'webgpu' ? this.probe?.adapter : null;
        this.setStatus(`Ready on ${where}, because ${this.stats.reason}. ${this.readyText(msg)}`);
        this.setControls(true);
        if (this.setting('autostart', 'false') !== 'false') this.send({ type: 'start' });
        break;
      }
      case 'running':
        this.stats.state = msg.running ? 'running' : 'paused';
        this.$('.start').textContent = msg.running ? 'Pause' : 'Start';
        break;
      case 'step':
        this.stats.steps = msg.step;
        this.stats.stepMs.push(msg.stepMs);
        this.$('.steps').textContent = String(msg.step);
        this.$('.rate').textContent = msg.stepsPerSec ? msg.stepsPerSec.toFixed(2) : '–';
        this.onStep(msg);
        break;
      case 'saved':
        this.download(msg.bytes, this.fileName(msg.step));
        break;
      case 'loaded':
        this.showMessage('Weights loaded. Training continues from them.', 'ok');
        break;
      case 'error':
        this.showMessage(msg.message);
        break;
      case 'fatal':
        this.onFatal(msg);
        break;
      default:
        this.onTaskMessage(msg);
    }
  }

  /** The engine died (a lost GPU device, a trap): say so and offer a restart with the last good weights. */
  onFatal({ message, autosave, autosaveStep }) {
    this.stats.state = 'failed';
    this.setControls(false);
    this.$('.reset').disabled = false;
    this.$('.backend-pick').disabled = false;
    const kept = autosave ? ` Weights from step ${autosaveStep} are kept.` : '';
    this.rescue = autosave;
    this.showMessage(`Training stopped: ${message}.${kept} Pick a backend to continue.`);
  }

  fail(message) {
    this.stats.state = 'failed';
    this.showMessage(message);
  }

  download(bytes, name) {
    const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: name });
    this.shadowRoot.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  setControls(enabled) {
    for (const el of this.shadowRoot.querySelectorAll('.controls button, .controls input, .backend-pick, [data-needs-ready]')) {
      el.disabled = !enabled;
    }
    this.$('.start').textContent = 'Start';
  }

  setStatus(text) {
    this.$('.status').textContent = text;
    this.stats.status = text;
  }

  showMessage(text, kind = 'error') {
    const el = this.$('.message');
    el.textContent = text;
    el.hidden = !text;
    el.dataset.kind = kind;
    this.stats.message = text;
  }
}
