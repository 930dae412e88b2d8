// One optimizer update's loss and gradients through the trainer's own
// gradient code, and a float-for-float comparison of two of them: shared by
// the tests that change how a step is computed but not what it computes
// (gradient checkpointing, the op path's custom gradients).
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { GPT2Model } from '@tunekit/core';
import { BatchOrder } from '../src/data/batch-order';
import { accumulateGradients } from '../src/train/accumulate-gradients';
import { createTask, type TaskData } from '../src/train/evaluate';
import type { Task } from '../src/train/tasks/task';
import { trainableVariables } from '../src/train/trainable-variables';
import { SeededRandom } from '../src/util/random';
import type { ParameterSource } from '../src/model/parameter-source';
import { expectSameGradients } from './same-step';

/** The loss of one update and every trainable variable's gradient, by name. */
export interface Update {
  loss: number;
  gradients: Map<string, Float32Array>;
}

/**
 * One update (2 micro-batches of 2, right-padded to different lengths),
 * optionally with gradient checkpointing; `wrapTask` lets a test observe or
 * change the task the trainer's gradient code runs.
 */
export async function oneUpdate(
  model: GPT2Model, spec: TaskData, data: readonly unknown[], sources: ParameterSource[], checkpointing: boolean,
  wrapTask: (task: Task<unknown, unknown>) => Task<unknown, unknown> = (task) => task,
): Promise<Update> {
  const task = wrapTask(createTask(model, spec, { training: true }));
  const variables = trainableVariables(sources);
  const tfNames = new Map([...variables].map(([name, variable]) => [variable.name, name]));
  const order = new BatchOrder(data.length, { batchSize: 2, seed: 5, shuffle: true });
  const update = await accumulateGradients(task, data, order, { epoch: 0, batch: 0 }, 2, new SeededRandom(9), tfNames, [...variables.values()], checkpointing);
  const gradients = new Map([...update.gradients].map(([name, g]) => [name, Float32Array.from(g.dataSync())]));
  tf.dispose([...update.gradients.values()]);
  expect(gradients.size).toBe(variables.size); // every trainable variable got a gradient
  return { loss: update.loss, gradients };
}

/** The same loss and every gradient the same float for float (each gradient non-zero, so the check means something). */
export function expectSameUpdate(actual: Update, expected: Update, label: string): void {
  expect(Number.isFinite(expected.loss)).toBe(true);
  expect(actual.loss).toBe(expected.loss);
  expectSameGradients(expected.gradients, actual.gradients, label);
}
