// <kindling-translate>: the translation demo, an encoder–decoder Transformer learning to turn
// dates into ISO 8601 (or to reverse or sort symbols), with its attention drawn live.
// Attributes (the page URL wins): backend, batch, lr, seed, autostart, task
// (dates|reverse|sort), input, and sizes n_layer, n_embd, n_head.
import { BASE, DemoElement, frame } from './demo.js';
import { drawHeatmap, layerMap } from './heatmap.js';
import { LinePlot } from './plot.js';

const EXAMPLES = { dates: 'Monday, May 3, 1999', reverse: 'abcdefg', sort: 'dbgacfe' };
const RULES = {
  dates: 'Any common way of writing a date between 1950 and 2049 → YYYY-MM-DD. Numeric dates ' +
    'are read day first (03/05/99 is 3 May), and a two-digit year \'50–\'99 is 1950–1999, ' +
    '\'00–\'49 is 2000–2049.',
  reverse: 'A string of the letters a–l, 2 to 10 long → the same string backwards. Each output ' +
    'letter copies one input letter, so the cross-attention is an anti-diagonal.',
  sort: 'A string of the letters a–l, 2 to 10 long → its letters in alphabetical order.',
};

const TEMPLATE = frame({
  title: 'Learning to translate',
  subtitle: 'an encoder–decoder Transformer',
  defaults: { lr: '0.002', batch: '64' },
  stats: `
    <dt>exact</dt><dd class="exact">–</dd>
    <dt>held-out loss</dt><dd class="held">–</dd>`,
  settings: `
    <label>task <select class="task">
      <option value="dates">dates → ISO 8601</option>
      <option value="reverse">reverse</option>
      <option value="sort">sort</option>
    </select></label>`,
  panel: `
    <div class="translator">
      <p class="rule"></p>
      <label>Your input <input class="input" type="text" maxlength="32" spellcheck="false"></label>
      <p class="translation" aria-live="polite">→ <span class="output"></span></p>
      <div class="attn-controls">
        <label>layer <select class="layer"></select></label>
        <label>head <select class="head"></select></label>
      </div>
      <h3>Cross-attention <small>output characters (rows) × input characters</small></h3>
      <canvas class="heatmap cross" width="0" height="0" aria-label="cross-attention heatmap"></canvas>
      <h3>Encoder self-attention <small>input × input</small></h3>
      <canvas class="heatmap encoder" width="0" height="0" aria-label="encoder self-attention heatmap"></canvas>
      <canvas class="accuracy-plot" aria-label="held-out exact match"></canvas>
      <table class="held-out"><thead><tr><th>held-out input</th><th>expected</th><th>model</th><th></th></tr></thead>
        <tbody></tbody></table>
    </div>`,
});

class KindlingTranslate extends DemoElement {
  constructor() {
    super('translate', TEMPLATE, [
      { name: 'train loss', color: '#1971c2' },
      { name: 'held-out loss', color: '#2b8a3e' },
    ]);
    this.maps = null;
  }

  bindPanel() {
    this.accuracyPlot = new LinePlot(this.$('.accuracy-plot'), [{ name: 'held-out exact match', color: '#d9480f' }]);
    this.$('.task').value = this.setting('task', 'dates');
    this.$('.input').value = this.setting('input', EXAMPLES[this.$('.task').value]);
    this.$('.task').onchange = () => {
      this.$('.input').value = EXAMPLES[this.$('.task').value];
      this.relaunch();
    };
    let timer = null;
    this.$('.input').oninput = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.$('.output').textContent = '';
        this.send({ type: 'input', text: this.$('.input').value });
      }, 250);
    };
    this.$('.layer').onchange = () => this.drawMaps();
    this.$('.head').onchange = () => this.drawMaps();
  }

  initSettings() {
    return {
      task: 'translate', // the worker's module; the translation task itself travels as `translation`
      translation: this.$('.task').value,
      input: this.$('.input').value,
      sizes: {
        nLayer: Number(this.setting('n_layer', 0)),
        nEmbd: Number(this.setting('n_embd', 0)),
        nHead: Number(this.setting('n_head', 0)),
      },
    };
  }

  resetPanel() {
    Object.assign(this.stats, { heldOut: [], table: null, explained: null });
    this.accuracyPlot?.clear();
    this.$('.rule').textContent = RULES[this.$('.task').value];
    this.$('.exact').textContent = '–';
    this.$('.held').textContent = '–';
    this.$('.output').textContent = '';
    this.$('.held-out tbody').replaceChildren();
    this.maps = null;
    for (const c of this.shadowRoot.querySelectorAll('.heatmap')) c.width = c.height = 0;
  }

  readyText(msg) {
    this.stats.info = msg.info;
    return `${msg.info.heldOut} held-out examples, never trained on.`;
  }

  pretrainedUrl() {
    return new URL(`weights/translate-${this.$('.task').value}.bpk`, BASE);
  }

  setControls(enabled) {
    super.setControls(enabled);
    // Weights ship for the dates task; reversing and sorting learn in a minute from scratch.
    const pretrained = this.$('.pretrained');
    if (this.$('.task').value !== 'dates') {
      pretrained.disabled = true;
      pretrained.title = 'pretrained weights ship for the dates task';
    } else {
      pretrained.title = 'weights trained natively with the same code';
    }
  }

  fileName(step) {
    return `kindling-translate-${this.$('.task').value}-step${step}.bpk`;
  }

  onStep(msg) {
    this.stats.losses.push([msg.step, msg.loss]);
    this.plot.push('train loss', msg.step, msg.loss);
  }

  onTaskMessage(msg) {
    switch (msg.type) {
      case 'heldout':
        this.stats.heldOut.push([msg.step, msg.accuracy, msg.loss]);
        this.plot.push('held-out loss', msg.step, msg.loss);
        this.accuracyPlot.push('held-out exact match', msg.step, msg.accuracy);
        this.$('.exact').textContent = `${(100 * msg.accuracy).toFixed(1)}%`;
        this.$('.held').textContent = msg.loss.toFixed(3);
        this.showTable(msg);
        break;
      case 'explain':
        if (msg.typed !== this.$('.input').value) break;
        this.maps = msg;
        this.stats.explained = { step: msg.step, input: msg.typed, output: msg.output };
        this.$('.output').textContent = msg.output || '(nothing yet)';
        this.fillPickers(msg);
        this.drawMaps();
        break;
      case 'input-error':
        this.showMessage(`${msg.message}.`);
        break;
    }
  }

  showTable({ step, inputs, targets, answers }) {
    const rows = inputs.slice(0, 10).map((input, i) => {
      const right = answers[i] === targets[i];
      const tr = document.createElement('tr');
      tr.className = right ? 'right' : 'wrong';
      for (const text of [input, targets[i], answers[i] || '∅', right ? '✓' : '✗']) {
        tr.append(Object.assign(document.createElement('td'), { textContent: text }));
      }
      return tr;
    });
    this.$('.held-out tbody').replaceChildren(...rows);
    this.stats.table = { step, rows: rows.length, right: rows.filter((r) => r.className === 'right').length };
  }

  fillPickers({ nLayer, nHead }) {
    const fill = (select, options) => {
      if (select.options.length === options.length) return;
      select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
    };
    fill(this.$('.layer'), [...Array(nLayer).keys()].map((l) => [String(l), String(l + 1)]));
    fill(this.$('.head'), [['avg', 'average'], ...[...Array(nHead).keys()].map((h) => [String(h), String(h + 1)])]);
  }

  drawMaps() {
    if (!this.maps) return;
    const { nHead, input, rows, cross, encoder, step } = this.maps;
    const layer = Number(this.$('.layer').value || 0);
    const head = this.$('.head').value || 'avg';
    const heads = head === 'avg' ? [...Array(nHead).keys()] : [Number(head)];
    const crossMap = layerMap(cross, { nHead, rows: rows.length, cols: input.length }, layer, heads);
    const encMap = layerMap(encoder, { nHead, rows: input.length, cols: input.length }, layer, heads);
    const c = drawHeatmap(this.$('.heatmap.cross'), crossMap, rows, input);
    const e = drawHeatmap(this.$('.heatmap.encoder'), encMap, input, input);
    this.stats.heatmap = { step, layer, head, rows: rows.length, cols: input.length, cross: c, encoder: e };
  }
}

customElements.define('kindling-translate', KindlingTranslate);
