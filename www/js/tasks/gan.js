// The GAN demo's side of the worker: MNIST digits in, losses and the 8×8 sample grid out.
import { GanSession } from '../../pkg/kindling.js';

export async function create({ settings, post, fetchGz }) {
  const { backend, batch, lr, seed, dataUrl } = settings;
  const digits = await fetchGz(dataUrl, 'MNIST digits');
  const session = await GanSession.create(backend, digits, batch, lr, BigInt(seed));
  return {
    session,
    ready: { digits: (digits.length - 12) / 785 },
    async step() {
      const [lossD, lossG] = await session.step();
      return { lossD, lossG, losses: [lossD, lossG] };
    },
    extras: {
      grid: {
        interval: 500,
        async run() {
          const pixels = await session.grid();
          post({ type: 'grid', step: session.steps, side: GanSession.gridSide(), pixels }, [pixels.buffer]);
        },
      },
      holdout: {
        interval: 3000,
        manual: false, // a single step asks for the new grid; the held-out loss can wait
        async run() {
          post({ type: 'holdout', step: session.steps, loss: await session.holdoutLoss() });
        },
      },
    },
  };
}
