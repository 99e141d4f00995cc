// The translation demo's side of the worker: a generated task in; losses, held-out answers
// and the attention maps for a typed input out.
import { TranslateSession } from '../../pkg/kindling.js';

export async function create({ settings, post }) {
  const { backend, batch, lr, seed, translation, sizes = {} } = settings;
  const session = await TranslateSession.create(
    backend, translation, sizes.nLayer ?? 0, sizes.nEmbd ?? 0, sizes.nHead ?? 0, batch, lr, BigInt(seed),
  );
  // Greedy decoding of the held-out set is a forward pass per output character: score fewer
  // examples where passes are slow.
  const heldOut = backend === 'cpu' ? 200 : 50;
  let input = settings.input ?? '';

  const extras = {
    heldout: {
      interval: 3000,
      async run() {
        post({ type: 'heldout', step: session.steps, ...(await session.heldOut(heldOut)) });
      },
    },
    explain: {
      interval: 1500,
      async run() {
        if (!input) return;
        const shown = input;
        try {
          const maps = await session.explain(shown);
          post({ type: 'explain', step: session.steps, typed: shown, ...maps }, [maps.cross.buffer, maps.encoder.buffer]);
        } catch (err) {
          if (err instanceof WebAssembly.RuntimeError) throw err;
          post({ type: 'input-error', typed: shown, message: String(err?.message ?? err) });
          input = '';
        }
      },
    },
  };

  return {
    session,
    ready: { info: session.info() },
    async step() {
      const loss = await session.step();
      return { loss, losses: [loss] };
    },
    extras,
    handlers: {
      async input({ text }) {
        input = text;
        await extras.explain.run();
      },
    },
  };
}
