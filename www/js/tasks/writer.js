// The writing demo's side of the worker: a text corpus in; losses, samples, a prompt's
// continuation and its attention maps out.
import { GptSession } from '../../pkg/kindling.js';

// How much each kind of text asks of a sample: names are short, prose needs room.
const SHAPES = {
  names: { samples: 12, sampleLen: 24, continueLen: 24 },
  'moby-dick': { samples: 2, sampleLen: 240, continueLen: 160 },
};

export async function create({ settings, post, fetchGz }) {
  const { backend, batch, lr, seed, dataUrl, dataset, preset, sizes = {} } = settings;
  const shape = SHAPES[dataset];
  if (!shape) throw new Error(`unknown data set ${dataset}`);
  const bytes = await fetchGz(dataUrl, dataset === 'names' ? 'names' : 'Moby-Dick');
  const text = new TextDecoder().decode(bytes);
  const session = await GptSession.create(
    backend, dataset, text, preset,
    sizes.nLayer ?? 0, sizes.nEmbd ?? 0, sizes.nHead ?? 0, sizes.blockSize ?? 0,
    batch, lr, BigInt(seed),
  );
  let prompt = settings.prompt ?? '';
  let sampling = { temperature: settings.temperature ?? 1, topK: settings.topK ?? 0 };

  const extras = {
    validation: {
      interval: 2000,
      async run() {
        post({ type: 'validation', step: session.steps, loss: await session.validationLoss() });
      },
    },
    samples: {
      // "every few hundred steps", but never leave a slow backend without new samples for long
      everySteps: 200,
      maxWait: 20_000,
      async run() {
        const texts = await session.samples(shape.samples, shape.sampleLen, sampling.temperature, sampling.topK);
        post({ type: 'samples', step: session.steps, texts });
      },
    },
    prompt: {
      interval: 1500,
      async run() {
        if (!prompt) return;
        const shown = prompt;
        try {
          const maps = await session.attention(shown);
          post({ type: 'attention', step: session.steps, prompt: shown, ...maps }, [maps.weights.buffer]);
          const continuation = await session.complete(shown, shape.continueLen, sampling.temperature, sampling.topK);
          post({ type: 'completion', step: session.steps, prompt: shown, continuation });
        } catch (err) {
          if (err instanceof WebAssembly.RuntimeError) throw err;
          // A character the model does not know: say so, and stop retrying this prompt.
          post({ type: 'prompt-error', prompt: shown, message: String(err?.message ?? err) });
          prompt = '';
        }
      },
    },
  };

  return {
    session,
    ready: { info: session.info(), tokensPerStep: session.tokensPerStep },
    async step() {
      const loss = await session.step();
      return { loss, tokensPerStep: session.tokensPerStep, losses: [loss] };
    },
    extras,
    handlers: {
      async prompt({ text }) {
        prompt = text;
        await extras.prompt.run();
      },
      async sampling({ temperature, topK }) {
        sampling = { temperature, topK };
        await extras.samples.run();
        await extras.prompt.run();
      },
    },
  };
}
