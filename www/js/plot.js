// A live line plot on a canvas: a few named series against the step count.

export class LinePlot {
  /** @param {HTMLCanvasElement} canvas @param {{name: string, color: string}[]} series */
  constructor(canvas, series, { maxPoints = 2000 } = {}) {
    this.canvas = canvas;
    this.series = series.map((s) => ({ ...s, points: [] }));
    this.maxPoints = maxPoints;
    this.pending = false;
  }

  /** Add a point to series `name` (non-finite values are skipped) and schedule a redraw. */
  push(name, step, value) {
    const s = this.series.find((s) => s.name === name);
    if (!s || !Number.isFinite(value)) return;
    s.points.push([step, value]);
    // Keep memory bounded on long runs: thin the older half.
    if (s.points.length > this.maxPoints) {
      s.points = s.points.filter((_, i) => i % 2 === 0 || i > s.points.length / 2);
    }
    if (!this.pending) {
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.draw();
      });
    }
  }

  clear() {
    for (const s of this.series) s.points = [];
    this.draw();
  }

  draw() {
    const { canvas } = this;
    const ctx = canvas.getContext('2d');
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const all = this.series.flatMap((s) => s.points);
    const pad = { left: 40, right: 8, top: 18, bottom: 18 };
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#888';
    if (all.length === 0) {
      ctx.fillText('losses appear here as the model trains', pad.left, height / 2);
      return;
    }
    const maxStep = Math.max(1, ...all.map((p) => p[0]));
    const values = all.map((p) => p[1]);
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (hi - lo < 1e-6) [lo, hi] = [lo - 0.5, hi + 0.5];
    const x = (step) => pad.left + (step / maxStep) * (width - pad.left - pad.right);
    const y = (v) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);

    ctx.strokeStyle = '#8884';
    ctx.lineWidth = 1;
    for (const v of [lo, (lo + hi) / 2, hi]) {
      ctx.beginPath();
      ctx.moveTo(pad.left, y(v));
      ctx.lineTo(width - pad.right, y(v));
      ctx.stroke();
      ctx.fillText(v.toFixed(2), 2, y(v) + 4);
    }
    ctx.fillText(`step ${maxStep}`, width - pad.right - 60, height - 4);

    let legendX = pad.left;
    for (const s of this.series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      s.points.forEach(([step, v], i) => (i ? ctx.lineTo(x(step), y(v)) : ctx.moveTo(x(step), y(v))));
      ctx.stroke();
      ctx.fillStyle = s.color;
      ctx.fillText(s.name, legendX, 12);
      legendX += ctx.measureText(s.name).width + 14;
    }
  }
}
