// The chunked LM loss's backward frees each chunk's [rows × V] temporaries
// (logits, softmax, one-hot mask, delta) and sums the table's gradient as it
// goes: tfjs runs a customGrad's gradient function outside any tidy of its
// own and keeps every gradient it sums until the backward pass ends, so with
// one op per chunk all of them stayed alive at once.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel, type GPT2Model, lmCrossEntropy } from '@tunekit/core';

let model: GPT2Model;
beforeAll(async () => {
  model = await createModel({ embeddingDim: 8, numLayers: 1, numHeads: 2, contextLength: 16 }, { seed: 1 });
});
afterAll(() => model?.dispose());

describe('lmCrossEntropy backward memory', () => {
  for (const recompute of [false, true]) {
    it(`peak bytes of a 12-chunk loss's gradient stay near one chunk's (recompute ${recompute})`, async () => {
      const rows = 96;
      const tokenChunk = 8;
      const vocab = model.config.vocabSize;
      const chunkBytes = tokenChunk * vocab * 4; // one chunk's [rows × V] float32 logits
      const hidden = tf.randomNormal([rows, model.config.embeddingDim], 0, 1, 'float32', 3);
      const labels = Array.from({ length: rows }, (_, i) => (i * 997) % vocab);
      const before = tf.memory().numTensors;
      const baseline = tf.memory().numBytes; // weights and hidden; profile's peakBytes is absolute
      const withGradients = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => lmCrossEntropy(tf.mul(hidden, 1), model.params.wte, labels, { tokenChunk, recompute }), model.params.wte.chunks);
        tf.dispose([value, ...Object.values(grads)]);
      });
      expect(tf.memory().numTensors).toBe(before);
      // What the tape keeps: 12 chunks of logits without recompute, counted twice by tfjs (its saved
      // clones share the buffers but count their bytes), then a few chunks' temporaries and table gradients.
      const kept = recompute ? 0 : 2 * (rows / tokenChunk) * chunkBytes;
      const extra = withGradients.peakBytes - baseline - kept;
      console.log(`recompute ${recompute}: peak ${(withGradients.peakBytes / 2 ** 20).toFixed(1)} MiB, ${(extra / chunkBytes).toFixed(1)} chunks beyond the kept logits`);
      expect(extra).toBeLessThan(6 * chunkBytes); // measured 0 and 4 chunks; before (one op per chunk, no tidy): 73 and 97
      hidden.dispose();
    });
  }
});
