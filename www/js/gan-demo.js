// <kindling-gan>: the GAN demo as a self-contained custom element. The page is one host of it;
// a blog post can be another. Attributes (each also readable from the page URL, which wins, so
// tests and links can set them): backend (webgpu|cpu|auto), batch, lr, seed, autostart.
import { BASE, DemoElement, frame } from './demo.js';

const TEMPLATE = frame({
  title: 'Handwritten digits from noise',
  subtitle: 'a GAN',
  defaults: { lr: '0.0002', batch: '64' },
  panel: `
    <figure class="samples">
      <canvas class="grid" width="233" height="233" aria-label="64 generated digits"></canvas>
      <figcaption>64 samples from a fixed noise batch, redrawn as the generator learns</figcaption>
    </figure>`,
});

class KindlingGan extends DemoElement {
  constructor() {
    super('gan', TEMPLATE, [
      { name: 'D loss', color: '#d9480f' },
      { name: 'G loss', color: '#1971c2' },
      { name: 'D loss, held-out', color: '#2b8a3e' },
    ]);
    this.stats.grids = 0;
  }

  initSettings() {
    return { task: 'gan', dataUrl: new URL('data/mnist.bin.gz', BASE).href };
  }

  resetPanel() {
    this.stats.grids = 0;
  }

  readyText(msg) {
    return `${msg.digits} digits loaded.`;
  }

  pretrainedUrl() {
    return new URL('weights/gan-mnist.bpk', BASE);
  }

  fileName(step) {
    return `kindling-gan-step${step}.bpk`;
  }

  onStep(msg) {
    this.stats.losses.push([msg.step, msg.lossD, msg.lossG]);
    this.plot.push('D loss', msg.step, msg.lossD);
    this.plot.push('G loss', msg.step, msg.lossG);
  }

  onTaskMessage(msg) {
    switch (msg.type) {
      case 'holdout':
        this.plot.push('D loss, held-out', msg.step, msg.loss);
        break;
      case 'grid':
        this.drawGrid(msg.pixels, msg.side);
        this.stats.grids += 1;
        this.stats.gridStep = msg.step;
        break;
    }
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
}

customElements.define('kindling-gan', KindlingGan);
