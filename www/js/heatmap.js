// An attention heatmap on a canvas: one row per query, one column per key, darker for more
// weight, with the tokens along the top (keys) and down the side (queries).

/** How a token is drawn on the axes: spaces and line breaks made visible. */
export const tokenLabel = (t) => ({ ' ': '␣', '\n': '↵' })[t] ?? t;

/**
 * Draw `weights` (`rows × cols`, row-major, each in [0, 1]) on `canvas`, sizing it to fit.
 * Returns the geometry, so callers and tests can find a cell: `{ width, height, cell, margin }`.
 */
export function drawHeatmap(canvas, weights, rowLabels, colLabels, { maxSide = 448 } = {}) {
  const rows = rowLabels.length;
  const cols = colLabels.length;
  const cell = Math.max(6, Math.min(28, Math.floor(maxSide / Math.max(rows, cols))));
  const margin = 16;
  canvas.width = margin + cols * cell;
  canvas.height = margin + rows * cell;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const w = Math.min(1, Math.max(0, weights[i * cols + j]));
      // White for no attention, dark blue for all of it.
      const shade = Math.round(255 * (1 - w));
      ctx.fillStyle = `rgb(${shade}, ${Math.round(shade * 0.9 + 25)}, 255)`;
      ctx.fillRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1);
    }
  }
  ctx.fillStyle = '#333';
  ctx.font = `${Math.min(12, cell)}px ui-monospace, monospace`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  colLabels.forEach((t, j) => ctx.fillText(tokenLabel(t), margin + j * cell + cell / 2, margin / 2));
  rowLabels.forEach((t, i) => ctx.fillText(tokenLabel(t), margin / 2, margin + i * cell + cell / 2));
  return { width: canvas.width, height: canvas.height, cell, margin };
}

/** The average over `heads` of one layer's maps in `[layers, nHead, rows, cols]` weights. */
export function layerMap(weights, { nHead, rows, cols }, layer, heads) {
  const map = new Float32Array(rows * cols);
  for (const h of heads) {
    const offset = (layer * nHead + h) * rows * cols;
    for (let i = 0; i < rows * cols; i++) map[i] += weights[offset + i] / heads.length;
  }
  return map;
}
