/**
 * Reverse-mode gradients over tfjs's tape that free memory as the backward
 * pass goes, instead of when it ends.
 *
 * `engine.gradients` (behind `tf.variableGrads`, `tf.grads`, …) walks the
 * tape from the loss back to the variables, but frees nothing until the last
 * node is done: every node's saved tensors (the activations the forward kept)
 * and every intermediate gradient — the gradient of each op's output, and
 * each partial gradient added into a running sum — stay alive until the
 * walk ends. Its high-water mark is therefore all the activations plus all
 * the intermediate gradients, where PyTorch's autograd holds the activations
 * of what is not yet walked plus the gradients at the frontier.
 *
 * This walk runs the same nodes, calls the same gradient functions with the
 * same tensors and adds repeated parts in the same order (so the gradients
 * are the same floats), and frees:
 * - a node's saved tensors right after its gradient function ran (only for a
 *   top-level gradient: a gradient of a gradient still needs them, as the
 *   engine does it);
 * - the gradient of a node's outputs once the node has run (every op that
 *   consumed an output comes later on the tape, so its part is already in),
 *   unless that output is one of the differentiated tensors;
 * - a partial gradient once it has been added into the running sum.
 *
 * It only ever frees gradients the walk itself made (tensor ids after the
 * walk began), never the caller's `dy`, a saved tensor, an activation
 * or a variable, and a tensor another entry still holds (a gradient function
 * may hand its dy straight through) stays until nothing holds it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TunekitAccumulate } from '@tunekit/backend-spec';
import { InvalidArgumentError, InvalidStateError } from '@tunekit/formats';
import { activeBackendHas, runOptionalKernel } from './optional-kernel';

/** One recorded op, as the engine keeps it on its tape (not in tfjs's public types). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The part of the engine this needs (private in tfjs's types). */
interface EngineTape {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

/** A loss value and the gradients of the differentiated tensors (`undefined` where none reaches). */
export interface LeanGradients {
  /** What `f` returned. */
  value: tf.Tensor;
  /** One per differentiated tensor, in their order. */
  grads: Array<tf.Tensor | undefined>;
}

/**
 * `engine.gradients(f, xs, dy, allowNoGradients)` with the same values and a
 * lower high-water mark (see the module comment).
 *
 * @param f - the function to differentiate; the ops it runs are recorded
 * @param xs - the tensors to differentiate with respect to
 * @param dy - the gradient of `f`'s result (ones when omitted); owned by the caller
 * @param allowNoGradients - return `undefined` gradients instead of throwing when no x reaches the result
 */
export function leanGradients(f: () => tf.Tensor, xs: readonly tf.Tensor[], dy?: tf.Tensor, allowNoGradients = false): LeanGradients {
  if (xs.length === 0) {
    throw new InvalidArgumentError('cannot take gradients with respect to an empty list of tensors', {
      fix: 'Pass at least one tensor (or variable) to differentiate with respect to.',
    });
  }
  const engine = tf.engine() as unknown as EngineTape;
  engine.startTape();
  let y: tf.Tensor;
  try {
    y = tf.tidy('forward', f);
  } finally {
    engine.endTape();
  }
  if (!(y instanceof tf.Tensor)) {
    throw new InvalidArgumentError('the function to differentiate did not return a tensor', {
      fix: 'Return the loss tensor from the function passed for differentiation.',
    });
  }
  const path = nodesFromXsToY(engine.state.activeTape ?? [], xs, y);
  if (!allowNoGradients && path.length === 0) {
    y.dispose();
    throw new InvalidStateError('cannot compute a gradient of y = f(x) with respect to x: no recorded op leads from x to y', {
      fix: 'Make sure the function passed for differentiation runs every op that leads from x to its result.',
    });
  }
  return tf.tidy('backward', () => {
    // A gradient of a gradient (depth > 0) needs the tape's saved tensors after this walk.
    const topLevel = engine.state.gradientDepth === 0;
    const grads = walkBackward(path, y, dy, xs, topLevel);
    if (topLevel) {
      for (const node of engine.state.activeTape ?? []) for (const tensor of node.saved ?? []) tensor.dispose();
      engine.state.activeTape = null;
    }
    return { value: y, grads } as unknown as tf.TensorContainer;
  }) as unknown as LeanGradients;
}

/**
 * `tf.variableGrads(loss, variables)` through {@link leanGradients}: the
 * gradients of the trainable ones among `variables`, named by their tfjs
 * names (variables no gradient reaches are left out).
 */
export function leanVariableGrads(loss: () => tf.Scalar, variables: readonly tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const trainable = variables.filter((variable) => variable.trainable);
  if (trainable.length === 0) {
    throw new InvalidArgumentError('none of the variables to differentiate is trainable', {
      fix: 'Pass trainable variables (check freeze() and the adapter set).',
    });
  }
  const { value, grads } = leanGradients(loss, trainable, undefined, true);
  if (grads.every((gradient) => gradient === undefined)) {
    value.dispose();
    throw new InvalidStateError('Cannot find a connection between any variable and the result of the loss function y=f(x)', {
      fix: 'Train at least one variable the loss depends on (check freeze() and the adapter set).',
    });
  }
  if (value.rank !== 0) {
    tf.dispose([value, ...grads.filter((gradient): gradient is tf.Tensor => gradient !== undefined)]);
    throw new InvalidArgumentError(`the loss must be a scalar, but has rank ${value.rank}`, {
      fix: 'Reduce the loss to one number (mean or sum) before differentiating.',
    });
  }
  const named: tf.NamedTensorMap = {};
  trainable.forEach((variable, i) => {
    const gradient = grads[i];
    if (gradient) named[variable.name] = gradient;
  });
  return { value: value as tf.Scalar, grads: named };
}

/**
 * The recorded ops on a path from some x to y, in tape order, each with only
 * the inputs that depend on an x (the others get no gradient), as the engine
 * filters its tape.
 */
function nodesFromXsToY(tape: readonly TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const reachedFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      reachedFromX.add(node.id);
      for (const output of node.outputs) fromX.add(output.id);
    }
  }
  const leadsToY = new Set<number>([y.id]);
  const reachesY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i] as TapeNode;
    if (node.outputs.some((output) => leadsToY.has(output.id))) {
      reachesY.add(node.id);
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
    }
  }
  const path: TapeNode[] = [];
  for (const node of tape) {
    if (!reachedFromX.has(node.id) || !reachesY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, input] of Object.entries(node.inputs)) if (fromX.has(input.id)) inputs[name] = input;
    path.push({ ...node, inputs });
  }
  return path;
}

/** Walks `path` from y back to the xs, freeing as it goes; returns the xs' gradients. */
function walkBackward(path: readonly TapeNode[], y: tf.Tensor, dy: tf.Tensor | undefined, xs: readonly tf.Tensor[], freeSaved: boolean): Array<tf.Tensor | undefined> {
  // Tensor ids only grow: every tensor made after this marker was made by this walk.
  const marker = tf.scalar(0);
  const gradients = new GradientTable(marker.id, xs);
  marker.dispose();
  // tf.ones, not onesLike(y): in a gradient of a gradient the seed must not depend on y on the outer tape.
  gradients.set(y, dy ?? tf.ones(y.shape));
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i] as TapeNode;
    if (!node.gradient) {
      throw new InvalidStateError(`cannot compute a gradient: no gradient function is registered for the tfjs kernel ${node.kernelName}`, {
        fix: 'Import @tunekit/core (it registers the gradients training needs) before training, or load @tensorflow/tfjs.',
      });
    }
    const inputGradients = node.gradient(node.outputs.map((output) => gradients.get(output) ?? null));
    for (const [name, input] of Object.entries(node.inputs)) {
      const gradientOf = inputGradients[name];
      if (!gradientOf) {
        throw new InvalidStateError(`the gradient of the tfjs kernel ${node.kernelName} has no entry for its input '${name}' (it has ${Object.keys(inputGradients).join(', ')})`, {
          fix: 'This is a tunekit bug if the kernel is one of tunekit\'s: please report it with the kernel name; otherwise fix that kernel\'s registered gradient.',
        });
      }
      const dx = tf.tidy(gradientOf);
      checkGradient(node.kernelName, name, dx, input);
      gradients.accumulate(input, dx);
    }
    for (const output of node.outputs) gradients.release(output);
    if (freeSaved) for (const tensor of node.saved ?? []) if (!gradients.holds(tensor)) tensor.dispose();
  }
  return xs.map((x) => gradients.get(x));
}

/** As the engine checks each input's gradient. */
function checkGradient(kernelName: string, input: string, dx: tf.Tensor, x: tf.Tensor): void {
  if (dx.dtype !== 'float32') {
    throw new InvalidStateError(`the gradient of the tfjs kernel ${kernelName} for its input '${input}' has dtype ${dx.dtype}, not float32`, {
      fix: 'Fix that kernel\'s registered gradient to return float32 (this is a tunekit bug if the kernel is one of tunekit\'s: please report it).',
    });
  }
  if (!tf.util.arraysEqual(dx.shape, x.shape)) {
    throw new InvalidStateError(`the gradient of the tfjs kernel ${kernelName} for its input '${input}' has shape [${dx.shape.join(', ')}], not its input's [${x.shape.join(', ')}]`, {
      fix: 'Fix that kernel\'s registered gradient to return its input\'s shape (this is a tunekit bug if the kernel is one of tunekit\'s: please report it).',
    });
  }
}

/**
 * Accumulated gradient per tensor id, with how many entries hold each
 * gradient tensor (a gradient function may return its dy unchanged, so one
 * tensor can be the gradient of two tensors).
 */
class GradientTable {
  private readonly byId = new Map<number, tf.Tensor>();
  private readonly holders = new Map<tf.Tensor, number>();
  private readonly wanted: Set<number>;

  /** @param firstOwnId - tensors with a larger id were made by this walk and may be freed by it */
  constructor(private readonly firstOwnId: number, xs: readonly tf.Tensor[]) {
    this.wanted = new Set(xs.map((x) => x.id));
  }

  get(tensor: tf.Tensor): tf.Tensor | undefined {
    return this.byId.get(tensor.id);
  }

  holds(gradient: tf.Tensor): boolean {
    return this.holders.has(gradient);
  }

  set(tensor: tf.Tensor, gradient: tf.Tensor): void {
    this.byId.set(tensor.id, gradient);
    this.holders.set(gradient, (this.holders.get(gradient) ?? 0) + 1);
  }

  /** Adds `part` into the tensor's gradient (the sum as the engine forms it: previous + part), freeing both addends. */
  accumulate(tensor: tf.Tensor, part: tf.Tensor): void {
    const previous = this.byId.get(tensor.id);
    if (!previous) {
      this.set(tensor, part);
      return;
    }
    this.unhold(previous);
    this.set(tensor, this.sum(previous, part));
    this.free(previous);
    this.free(part);
  }

  /**
   * previous + part. Where the backend has `TunekitAccumulate` and
   * `previous` is freed right after (made by this walk, held by no entry),
   * the backend may write the sum over it: the tied embedding table's two
   * [V, C] gradients are summed without a third buffer. Same bits as tf.add.
   */
  private sum(previous: tf.Tensor, part: tf.Tensor): tf.Tensor {
    const sameShape = previous.dtype === 'float32' && part.dtype === 'float32' && previous.shape.length === part.shape.length && previous.shape.every((d, i) => d === part.shape[i]);
    // Not inside an outer gradient: that tape would record a kernel it has no gradient for.
    const topLevel = (tf.engine() as unknown as EngineTape).state.gradientDepth === 0;
    if (!sameShape || !topLevel || !activeBackendHas(TunekitAccumulate)) return tf.add(previous, part);
    const consumesInputs = previous.id > this.firstOwnId && !this.holders.has(previous);
    return runOptionalKernel(TunekitAccumulate, { sum: previous, part }, { consumesInputs });
  }

  /** Drops the tensor's gradient: nothing before it on the tape will read it (kept when it is a differentiated tensor's). */
  release(tensor: tf.Tensor): void {
    if (this.wanted.has(tensor.id)) return;
    const gradient = this.byId.get(tensor.id);
    if (!gradient) return;
    this.byId.delete(tensor.id);
    this.unhold(gradient);
    this.free(gradient);
  }

  private unhold(gradient: tf.Tensor): void {
    const count = (this.holders.get(gradient) ?? 1) - 1;
    if (count > 0) this.holders.set(gradient, count);
    else this.holders.delete(gradient);
  }

  /** Frees a gradient this walk made once no entry holds it. */
  private free(gradient: tf.Tensor): void {
    if (gradient.id > this.firstOwnId && !this.holders.has(gradient)) gradient.dispose();
  }
}
