/**
 * Keys and values of the tokens seen so far, per layer, so that generation
 * processes only the new token at each step.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Cached keys and values of one layer, each [B, H, S, D]. */
export interface KVCacheEntry {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

/** A growing key/value cache. Create one per generated sequence; dispose it after. */
export class KVCache {
  private layers: (KVCacheEntry | undefined)[] = [];
  private cachedLength = 0;
  private mask: tf.Tensor2D | undefined; // [B, S] of 1/0, when padding was given

  /** Number of cached positions (prefix and virtual tokens included). */
  get length(): number {
    return this.cachedLength;
  }

  /** Attention mask of the cached positions, when one was given. */
  get attentionMask(): tf.Tensor2D | undefined {
    return this.mask;
  }

  /** Cached keys/values of a layer, or undefined when empty. */
  get(layer: number): KVCacheEntry | undefined {
    return this.layers[layer];
  }

  /** Replaces a layer's keys/values with a longer version (kept outside any tidy). */
  set(layer: number, key: tf.Tensor4D, value: tf.Tensor4D): void {
    const old = this.layers[layer];
    this.layers[layer] = { key: tf.keep(key), value: tf.keep(value) };
    if (old) {
      old.key.dispose();
      old.value.dispose();
    }
  }

  /** Records that `added` positions were appended (call once per forward pass). */
  advance(added: number, mask?: tf.Tensor2D): void {
    this.cachedLength += added;
    if (mask) {
      const old = this.mask;
      this.mask = tf.keep(mask);
      old?.dispose();
    }
  }

  /** Releases every cached tensor and empties the cache. */
  dispose(): void {
    for (const entry of this.layers) {
      entry?.key.dispose();
      entry?.value.dispose();
    }
    this.mask?.dispose();
    this.layers = [];
    this.mask = undefined;
    this.cachedLength = 0;
  }
}
