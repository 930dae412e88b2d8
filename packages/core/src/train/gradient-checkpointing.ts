/**
 * Gradient (activation) checkpointing: each transformer block keeps only its
 * input on the tape, and backward runs the block again, on a tape of its own,
 * to get its gradients. Peak memory holds one block's activations instead of
 * every block's, for about one more forward pass of compute.
 *
 * How it fits tfjs: the block runs inside a `tf.customGrad` op, whose forward
 * is not recorded (the engine turns the tape off inside an op). The op's
 * gradient function recomputes the block with `leanGradients` and returns
 * the input's gradient. Gradients of the variables the block read (weights,
 * LoRA, prefix, any hook's) cannot be returned through the op — it only
 * returns gradients of its inputs, and a variable that is not an input is not
 * on the tape — so they are collected here and added to the step's gradients
 * by {@link checkpointedVariableGrads}. A scalar `anchor` is an input of every
 * block op and one of the differentiated tensors: it keeps the ops on the
 * path from the differentiated tensors to the loss even when nothing before
 * the blocks is trained (LoRA, frozen embeddings), so tfjs calls their
 * gradient functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InvalidStateError } from '@tunekit/formats';
import type { BlockRunner } from '../model/transformer';
import { leanGradients } from '../tf/lean-gradients';

/** The part of the engine's state a nested gradient computation must restore (not in tfjs's public types). */
interface TapeState {
  activeTape: unknown[] | null;
}

/** One step's checkpointed blocks and the gradients their recomputations produced. */
export class GradientCheckpointing {
  /** Input of every block op; differentiated so the ops stay on the tape's path to the loss. */
  readonly anchor: tf.Scalar = tf.keep(tf.scalar(0));
  /** Variable gradients summed over the blocks' recomputations (kept tensors, owned here until taken). */
  private readonly collected = new Map<tf.Variable, tf.Tensor>();

  /** @param candidates - the variables whose gradients are wanted (the run's trainable variables) */
  constructor(private readonly candidates: readonly tf.Variable[]) {}

  /** The {@link BlockRunner} to pass to the forward pass. */
  readonly run: BlockRunner = (block, x, extras) => {
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const input = args[0] as tf.Tensor3D;
      const save = args[2] as tf.GradSaveFunc;
      // Saved, not captured: the forward's tidy disposes the mask before backward runs.
      save([input, ...extras]);
      return {
        value: block(input, extras),
        // In a tidy: tfjs runs a customGrad's gradFunc outside any scope of its own,
        // so what it leaves behind would otherwise live until backward ends.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
          const [savedInput, ...savedExtras] = saved as [tf.Tensor3D, ...tf.Tensor[]];
          return [this.recompute(block, savedInput, savedExtras, dy), tf.zerosLike(this.anchor)];
        }),
      };
    });
    return op(x, this.anchor) as tf.Tensor3D;
  };

  /** Runs the block again on a tape of its own; returns d(loss)/d(input) and collects the variables' gradients. */
  private recompute(block: Parameters<BlockRunner>[0], input: tf.Tensor3D, extras: tf.Tensor[], dy: tf.Tensor): tf.Tensor {
    const engine = tf.engine();
    const state = engine.state as unknown as TapeState;
    // The outer backward pass is still walking its tape and frees its saved tensors afterwards;
    // a top-level gradient computation replaces the active tape and sets it to null when done.
    const outerTape = state.activeTape;
    let result: ReturnType<typeof leanGradients>;
    try {
      result = leanGradients(() => block(input, extras), [input, ...this.candidates], dy, true);
    } finally {
      state.activeTape = outerTape;
    }
    result.value.dispose();
    const [inputGrad, ...variableGrads] = result.grads;
    variableGrads.forEach((gradient, i) => {
      if (!gradient) return;
      const variable = this.candidates[i] as tf.Variable;
      const previous = this.collected.get(variable);
      if (previous) {
        this.collected.set(variable, tf.keep(tf.add(previous, gradient)));
        tf.dispose([previous, gradient]);
      } else {
        this.collected.set(variable, tf.keep(gradient));
      }
    });
    return inputGrad ?? tf.zerosLike(input);
  }

  /** Hands over the collected gradients (the caller disposes them) and forgets them. */
  take(): Map<tf.Variable, tf.Tensor> {
    const gradients = new Map(this.collected);
    this.collected.clear();
    return gradients;
  }

  /** Frees the anchor and any gradients not taken (after a failed step). */
  dispose(): void {
    tf.dispose([this.anchor, ...this.collected.values()]);
    this.collected.clear();
  }
}

/**
 * `tf.variableGrads` for a loss whose blocks run through `checkpointing.run`:
 * the gradients on the step's tape plus those collected from the blocks'
 * recomputations, summed per variable (a variable read both outside and
 * inside the blocks gets both parts). Named by the variables' tfjs names, as
 * `variableGrads` names them.
 */
export function checkpointedVariableGrads(loss: () => tf.Scalar, variables: tf.Variable[], checkpointing: GradientCheckpointing): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const { value, grads } = leanGradients(loss, [...variables, checkpointing.anchor], undefined, true);
  const named: tf.NamedTensorMap = {};
  variables.forEach((variable, i) => {
    const gradient = grads[i];
    if (gradient) named[variable.name] = gradient;
  });
  grads[variables.length]?.dispose();
  for (const [variable, gradient] of checkpointing.take()) {
    const tape = named[variable.name];
    named[variable.name] = tape ? tf.add(tape, gradient) : gradient;
    if (tape) tf.dispose([tape, gradient]);
  }
  if (Object.keys(named).length === 0) {
    tf.dispose(value);
    throw new InvalidStateError('Cannot find a connection between any variable and the result of the loss function y=f(x)', {
      fix: 'Train at least one variable the loss depends on (check freeze() and the adapter set).',
    });
  }
  return { value: value as tf.Scalar, grads: named };
}
