/**
 * The LLMs-from-scratch chapters' training settings that differ from
 * tunekit's defaults, in one place so every chapter example uses the same:
 * AdamW that decays every parameter, chapter 7's in-order split, and its
 * untied output head.
 */
import type { OptimizerOptions } from '@tunekit/core';

/** Decay every variable: PyTorch's `AdamW(model.parameters(), weight_decay=0.1)`, biases and LayerNorm gains included. */
export function decayEverything(): boolean {
  return true;
}

/** The chapters' optimizer: AdamW, λ 0.1 on every parameter. */
export function chapterOptimizer(learningRate: number): OptimizerOptions {
  return { learningRate, weightDecay: 0.1, decays: decayEverything };
}

/** Split fractions, in file order. */
export interface OrderedFractions {
  train: number;
  test: number;
  val: number;
}

/**
 * Chapter 7's split: the first `train` share, then the next `test` share,
 * then the rest as validation, in file order (`int(len(data) * 0.85)` and
 * `int(len(data) * 0.1)`; 935 / 110 / 55 of 1,100).
 */
export function chapterSplit<T>(records: readonly T[], fractions: OrderedFractions = { train: 0.85, test: 0.1, val: 0.05 }): { train: T[]; test: T[]; val: T[] } {
  const train = Math.floor(records.length * fractions.train);
  const test = Math.floor(records.length * fractions.test);
  return { train: records.slice(0, train), test: records.slice(train, train + test), val: records.slice(train + test) };
}

/**
 * Chapter 7 loads GPT-2 into a model whose `out_head` is a separate matrix,
 * initialised as a copy of `wte`, that trains on its own (`loadModel`'s
 * `untieOutputHead`).
 */
export const CHAPTER_UNTIED_HEAD = true;
