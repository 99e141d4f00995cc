// <kindling-writer>: the writing demo, a character Transformer that learns names or prose.
// Attributes (the page URL wins, as for every demo): backend, batch, lr, seed, autostart, and
// dataset (names|moby-dick), preset (tiny|small), temperature, topk, prompt, and model sizes
// over the preset's: n_layer, n_embd, n_head, block_size.
import { BASE, DemoElement, frame } from './demo.js';
import { drawHeatmap, layerMap } from './heatmap.js';

// Weights trained natively with `kindling gpt` (see README); other pairs train from scratch.
const PRETRAINED = new Set(['names/tiny', 'moby-dick/small']);

const TEMPLATE = frame({
  title: 'Learning to write',
  subtitle: 'a character Transformer',
  defaults: { lr: '0.001', batch: '32' },
  stats: `
    <dt>tokens/s</dt><dd class="tokens">–</dd>
    <dt>val loss</dt><dd class="val">–</dd>
    <dt>parameters</dt><dd class="params">–</dd>`,
  settings: `
    <label>data <select class="dataset">
      <option value="names">names</option><option value="moby-dick">Moby-Dick</option>
    </select></label>
    <label>model <select class="preset">
      <option value="tiny">tiny: 2 layers, d 64, context 32</option>
      <option value="small">small: 4 layers, d 128, context 64</option>
    </select></label>
    <label>temperature <input class="temperature" type="number" step="0.1" min="0" max="3" value="1"></label>
    <label>top-k <input class="topk" type="number" step="1" min="0" max="100" value="0" title="0: all characters"></label>`,
  panel: `
    <div class="writer">
      <section class="sample-box">
        <h3>Samples <small class="sample-step"></small></h3>
        <ol class="sample-list"></ol>
      </section>
      <section class="prompt-box">
        <label>Your text <input class="prompt" type="text" maxlength="64" spellcheck="false"
          placeholder="type a few letters"></label>
        <p class="completion" aria-live="polite"><span class="typed"></span><span class="continued"></span></p>
        <div class="attn-controls">
          <label>layer <select class="layer"></select></label>
          <label>head <select class="head"></select></label>
        </div>
        <canvas class="heatmap" width="0" height="0" aria-label="attention heatmap"></canvas>
        <p class="caption">Each row is a character of your text; its cells show how much attention it
          pays to each earlier character (dark = more). The model cannot look ahead, so the upper
          right stays empty.</p>
      </section>
    </div>`,
});

class KindlingWriter extends DemoElement {
  constructor() {
    super('writer', TEMPLATE, [
      { name: 'train loss', color: '#1971c2' },
      { name: 'validation loss', color: '#2b8a3e' },
    ]);
    this.maps = null;
  }

  bindPanel() {
    this.$('.dataset').value = this.setting('dataset', 'names');
    this.$('.preset').value = this.setting('preset', 'tiny');
    this.$('.temperature').value = this.setting('temperature', '1');
    this.$('.topk').value = this.setting('topk', '0');
    this.$('.prompt').value = this.setting('prompt', '');
    this.$('.dataset').onchange = () => {
      // Each text has the preset it suits best; the reader can still change it after.
      this.$('.preset').value = this.$('.dataset').value === 'names' ? 'tiny' : 'small';
      this.relaunch();
    };
    this.$('.preset').onchange = () => this.relaunch();
    const sampling = () => {
      const temperature = Number(this.$('.temperature').value);
      const topK = Math.round(Number(this.$('.topk').value));
      if (!(temperature >= 0) || !(topK >= 0)) {
        this.showMessage('The temperature and top-k must be 0 or more.');
        return;
      }
      this.send({ type: 'sampling', temperature, topK });
    };
    this.$('.temperature').onchange = sampling;
    this.$('.topk').onchange = sampling;
    let timer = null;
    this.$('.prompt').oninput = () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.sendPrompt(), 250);
    };
    this.$('.layer').onchange = () => this.drawHeatmap();
    this.$('.head').onchange = () => this.drawHeatmap();
  }

  sendPrompt() {
    const text = this.$('.prompt').value;
    this.stats.prompt = text;
    this.$('.typed').textContent = text;
    this.$('.continued').textContent = '';
    if (!text) this.clearHeatmap();
    this.send({ type: 'prompt', text });
  }

  corpusName() {
    return this.$('.dataset').value;
  }

  initSettings() {
    const dataset = this.corpusName();
    return {
      task: 'writer',
      dataset,
      preset: this.$('.preset').value,
      dataUrl: new URL(`data/${dataset}.txt.gz`, BASE).href,
      temperature: Number(this.$('.temperature').value),
      topK: Math.round(Number(this.$('.topk').value)),
      prompt: this.$('.prompt').value,
      sizes: {
        nLayer: Number(this.setting('n_layer', 0)),
        nEmbd: Number(this.setting('n_embd', 0)),
        nHead: Number(this.setting('n_head', 0)),
        blockSize: Number(this.setting('block_size', 0)),
      },
    };
  }

  resetPanel() {
    Object.assign(this.stats, { samples: [], sampleStep: null, validation: [], heatmap: null, completion: null });
    this.$('.sample-list').replaceChildren();
    this.$('.sample-step').textContent = '';
    this.$('.val').textContent = '–';
    this.$('.tokens').textContent = '–';
    this.$('.typed').textContent = this.$('.prompt').value;
    this.$('.continued').textContent = '';
    this.dataset.corpus = this.corpusName();
    this.clearHeatmap();
    const key = `${this.corpusName()}/${this.$('.preset').value}`;
    this.$('.pretrained').dataset.available = PRETRAINED.has(key) ? 'yes' : 'no';
  }

  setControls(enabled) {
    super.setControls(enabled);
    const pretrained = this.$('.pretrained');
    if (pretrained.dataset.available === 'no') {
      pretrained.disabled = true;
      pretrained.title = `pretrained weights ship for ${[...PRETRAINED].join(' and ')}`;
    } else {
      pretrained.title = 'weights trained natively with the same code';
    }
  }

  readyText(msg) {
    const { info } = msg;
    this.stats.info = info;
    this.$('.params').textContent = info.parameters.toLocaleString('en');
    const unit = this.corpusName() === 'names' ? 'names' : 'characters';
    const fmt = (n) => n.toLocaleString('en');
    return `${fmt(info.trainSize)} ${unit} to learn from, ${fmt(info.validationSize)} held out.`;
  }

  pretrainedUrl() {
    return new URL(`weights/gpt-${this.corpusName()}-${this.$('.preset').value}.bpk`, BASE);
  }

  fileName(step) {
    return `kindling-gpt-${this.corpusName()}-${this.$('.preset').value}-step${step}.bpk`;
  }

  onStep(msg) {
    this.stats.losses.push([msg.step, msg.loss]);
    this.plot.push('train loss', msg.step, msg.loss);
    const tokensPerSec = msg.stepsPerSec * msg.tokensPerStep;
    this.stats.tokensPerSec = tokensPerSec;
    this.$('.tokens').textContent = tokensPerSec ? Math.round(tokensPerSec).toLocaleString('en') : '–';
  }

  onTaskMessage(msg) {
    switch (msg.type) {
      case 'validation':
        this.stats.validation.push([msg.step, msg.loss]);
        this.plot.push('validation loss', msg.step, msg.loss);
        this.$('.val').textContent = msg.loss.toFixed(3);
        break;
      case 'samples':
        this.showSamples(msg);
        break;
      case 'attention':
        if (msg.prompt !== this.$('.prompt').value) break; // the reader typed on since
        this.maps = msg;
        this.fillHeadPickers(msg);
        this.drawHeatmap();
        break;
      case 'completion':
        if (msg.prompt !== this.$('.prompt').value) break;
        this.stats.completion = { step: msg.step, prompt: msg.prompt, text: msg.continuation };
        this.$('.typed').textContent = msg.prompt;
        this.$('.continued').textContent = msg.continuation;
        break;
      case 'prompt-error':
        this.showMessage(`${msg.message}. Try other characters.`);
        this.clearHeatmap();
        break;
    }
  }

  showSamples({ step, texts }) {
    this.stats.samples = texts;
    this.stats.sampleStep = step;
    this.$('.sample-step').textContent = `after ${step} steps`;
    this.$('.sample-list').replaceChildren(
      ...texts.map((t) => Object.assign(document.createElement('li'), { textContent: t || '(empty)' })),
    );
  }

  fillHeadPickers({ nLayer, nHead }) {
    const fill = (select, options) => {
      if (select.options.length === options.length) return;
      const keep = select.value;
      select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
      if (options.some(([v]) => v === keep)) select.value = keep;
    };
    fill(this.$('.layer'), [...Array(nLayer).keys()].map((l) => [String(l), String(l + 1)]));
    fill(this.$('.head'), [['avg', 'average'], ...[...Array(nHead).keys()].map((h) => [String(h), String(h + 1)])]);
  }

  clearHeatmap() {
    this.maps = null;
    const canvas = this.$('.heatmap');
    canvas.width = canvas.height = 0;
    this.stats.heatmap = null;
  }

  drawHeatmap() {
    if (!this.maps) return;
    const { len, tokens, nHead, weights, step } = this.maps;
    const layer = Number(this.$('.layer').value || 0);
    const head = this.$('.head').value || 'avg';
    const heads = head === 'avg' ? [...Array(nHead).keys()] : [Number(head)];
    const map = layerMap(weights, { nHead, rows: len, cols: len }, layer, heads);
    const geometry = drawHeatmap(this.$('.heatmap'), map, tokens, tokens);
    this.stats.heatmap = { len, tokens, layer, head, step, ...geometry };
  }
}

customElements.define('kindling-writer', KindlingWriter);
