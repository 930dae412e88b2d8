/**
 * `tf.variableGrads` that leaks nothing when the loss function throws. tfjs
 * keeps a clone of every tensor the backward pass will need (`kept`, so no
 * tidy frees it) and frees them only after the backward pass; a throw in the
 * forward pass leaves them on the tape, and the next gradient call drops the
 * tape without freeing them (+160 tensors per failed step of a small model).
 */
import * as tf from '@tensorflow/tfjs-core';
import { leanVariableGrads } from '../tf/lean-gradients';

/** The part of the engine's state this needs (not in tfjs's public types). */
interface TapeState {
  gradientDepth: number;
  activeTape: { saved?: tf.Tensor[] }[] | null;
}

/** Frees the tensors a failed top-level gradient computation left on the tape. */
function releaseTape(): void {
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth !== 0 || !state.activeTape) return; // an outer gradient still needs its tape
  for (const node of state.activeTape) for (const tensor of node.saved ?? []) tensor.dispose();
  state.activeTape = null;
}

type VariableGrads = (loss: () => tf.Scalar, variables: tf.Variable[]) => { value: tf.Scalar; grads: tf.NamedTensorMap };

/**
 * {@link leanVariableGrads} (`tf.variableGrads` freeing as the backward goes), or another gradient
 * function of the same shape, releasing the tape's saved tensors when it throws.
 */
export function variableGradsOrRelease(loss: () => tf.Scalar, variables: tf.Variable[], gradients: VariableGrads = leanVariableGrads): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  try {
    return gradients(loss, variables);
  } catch (error) {
    releaseTape();
    throw error;
  }
}
