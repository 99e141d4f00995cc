// <kindling-gan>: the GAN demo as a self-contained custom element. The page is one host of it;
// a blog post can be another. Attributes (each also readable from the page URL, which wins, so
// tests and links can set them): backend (webgpu|cpu|auto), batch, lr, seed, autostart.
import { chooseBackend } from './backend.js';
import { LinePlot } from './plot.js';

const BASE = new URL('..', import.meta.url); // www/
const TEMPLATE = `
<link rel="stylesheet" href="${new URL('css/kindling.css', BASE)}">
<section class="demo">
  <header>
    <h2>Handwritten digits from noise <small>a GAN</small></h2>
    <p class="status" part="status" role="status">Loading…</p>
  </header>
  <div class="body">
    <figure class="samples">
      <canvas class="grid" width="233" height="233" aria-label="64 generated digits"></canvas>
      <figcaption>64 samples from a fixed noise batch, redrawn as the generator learns</figcaption>
    </figure>
    <div class="side">
      <canvas class="plot" aria-label="loss plot"></canvas>
      <dl class="stats">
        <dt>step</dt><dd class="steps">0</dd>
        <dt>steps/s</dt><dd class="rate">–</dd>
        <dt>backend</dt><dd class="backend">–</dd>
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
        <label>learning rate <input class="lr" type="number" step="0.0001" min="0.00001" max="0.1"></label>
        <label>batch <input class="batch" type="number" step="1" min="1" max="512"></label>
        <label>seed <input class="seed" type="number" step="1" min="0"></label>
        <label>backend <select class="backend-pick">
          <option value="webgpu">WebGPU</option><option value="cpu">CPU (wasm)</option>
        </select></label>
      </div>
      <p class="message" role="alert" hidden></p>
    </div>
  </div>
</section>`;

class KindlingGan extends HTMLElement {
  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML = TEMPLATE;
    this.$ = (sel) => this.shadowRoot.querySelector(sel);
    /** Public, read-only view of the run, for hosts and tests. */
    this.stats = { state: 'loading', backend: null, reason: '', steps: 0, losses: [], grids: 0 };
    this.worker = null;
  }

  setting(name, fallback) {
    const fromUrl = new URLSearchParams(location.search).get(name);
    return fromUrl ?? this.getAttribute(name) ?? fallback;
  }

  async connectedCallback() {
    if (this.worker) return;
    this.plot = new LinePlot(this.$('.plot'), [
      { name: 'D loss', color: '#d9480f' },
      { name: 'G loss', color: '#1971c2' },
      { name: 'D loss, held-out', color: '#2b8a3e' },
    ]);
    this.plot.draw();
    this.$('.lr').value = this.setting('lr', '0.0002');
    this.$('.batch').value = this.setting('batch', '64');
    this.$('.seed').value = this.setting('seed', '42');
    this.bindControls();
    const choice = await chooseBackend(this.setting('backend', 'auto'));
    this.probe = choice.probe;
    this.$('.backend-pick').querySelector('[value=webgpu]').disabled = !choice.probe.ok;
    this.launch(choice.backend, choice.reason);
  }

  disconnectedCallback() {
    this.worker?.terminate();
    this.worker = null;
  }

  bindControls() {
    const send = (msg, transfer) => this.worker?.postMessage(msg, transfer ?? []);
    this.$('.start').onclick = () => send({ type: this.stats.state === 'running' ? 'pause' : 'start' });
    this.$('.single').onclick = () => send({ type: 'step' });
    this.$('.reset').onclick = () => this.launch(this.stats.backend, this.stats.reason);
    this.$('.save').onclick = () => send({ type: 'save' });
    this.$('.pretrained').onclick = async () => {
      const url = new URL('weights/gan-mnist.bpk', BASE);
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const bytes = await response.arrayBuffer();
        send({ type: 'load', bytes }, [bytes]);
      } catch (err) {
        this.showMessage(`Could not fetch the pretrained weights (${err.message}).`);
      }
    };
    this.$('.load').onchange = async (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (!file) return;
      const bytes = await file.arrayBuffer();
      send({ type: 'load', bytes }, [bytes]);
    };
    this.$('.lr').onchange = () => {
      const lr = Number(this.$('.lr').value);
      if (lr > 0) send({ type: 'set', lr });
      else this.showMessage('The learning rate must be a positive number.');
    };
    this.$('.batch').onchange = () => {
      const batch = Math.round(Number(this.$('.batch').value));
      if (batch >= 1 && batch <= 512) send({ type: 'set', batch });
      else this.showMessage('The batch size must be between 1 and 512.');
    };
    this.$('.seed').onchange = () => this.launch(this.stats.backend, this.stats.reason);
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
    Object.assign(this.stats, { state: 'loading', backend, reason, steps: 0, losses: [], grids: 0 });
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
      type: 'init',
      backend,
      batch: Number(this.$('.batch').value),
      lr: Number(this.$('.lr').value),
      seed: Number(this.$('.seed').value),
      dataUrl: new URL('data/mnist.bin.gz', BASE).href,
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
        this.setStatus(`Loading MNIST digits…${pct} (${(msg.loaded / 1e6).toFixed(1)} MB)`);
        break;
      }
      case 'ready': {
        const where = msg.backend === 'webgpu' ? `WebGPU (${this.probe?.adapter ?? 'GPU'})` : 'the CPU backend (wasm)';
        this.stats.state = 'ready';
        this.stats.adapter = msg.backend === 'webgpu' ? this.probe?.adapter : null;
        this.setStatus(`Ready on ${where}, because ${this.stats.reason}. ${msg.digits} digits loaded.`);
        this.setControls(true);
        if (this.setting('autostart', 'false') !== 'false') this.worker.postMessage({ type: 'start' });
        break;
      }
      case 'running':
        this.stats.state = msg.running ? 'running' : 'paused';
        this.$('.start').textContent = msg.running ? 'Pause' : 'Start';
        break;
      case 'step':
        this.stats.steps = msg.step;
        this.stats.losses.push([msg.step, msg.lossD, msg.lossG]);
        this.$('.steps').textContent = String(msg.step);
        this.$('.rate').textContent = msg.stepsPerSec ? msg.stepsPerSec.toFixed(2) : '–';
        this.plot.push('D loss', msg.step, msg.lossD);
        this.plot.push('G loss', msg.step, msg.lossG);
        break;
      case 'holdout':
        this.plot.push('D loss, held-out', msg.step, msg.loss);
        break;
      case 'grid':
        this.drawGrid(msg.pixels, msg.side);
        this.stats.grids += 1;
        this.stats.gridStep = msg.step;
        break;
      case 'saved':
        this.download(msg.bytes, `kindling-gan-step${msg.step}.bpk`);
        break;
      case 'loaded':
        this.showMessage(`Weights loaded. Training continues from them.`, 'ok');
        break;
      case 'error':
        this.showMessage(msg.message);
        break;
      case 'fatal':
        this.onFatal(msg);
        break;
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

  drawGrid(pixels, side) {
    const canvas = this.$('.grid');
    canvas.width = canvas.height = side;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(side, side);
    for (let i = 0; i < pixels.length; i++) {
      image.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
    }
    ctx.putImageData(image, 0, 0);
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
    for (const sel of ['.start', '.single', '.reset', '.save', '.load', '.pretrained', '.backend-pick']) {
      this.$(sel).disabled = !enabled;
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

customElements.define('kindling-gan', KindlingGan);
