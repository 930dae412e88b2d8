/**
 * Gradients of the kernels that move elements without arithmetic: Reshape,
 * ExpandDims, Transpose, Slice, SplitV, Concat, Pack, Tile, GatherV2, Identity, Cast.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedGradientError } from './unsupported-gradient-error';

type Grads = Record<string, () => tf.Tensor>;

const reshape: tf.GradConfig = {
  kernelName: tf.Reshape,
  inputsToSave: ['x'],
  gradFunc: (dy, saved): Grads => ({ x: () => tf.reshape(dy as tf.Tensor, saved[0]!.shape) }),
};

// Prompt and prefix tuning broadcast their table with expandDims + tile; a new axis of size 1 moves no element.
const expandDims: tf.GradConfig = {
  kernelName: tf.ExpandDims,
  inputsToSave: ['input'],
  gradFunc: (dy, saved): Grads => ({ input: () => tf.reshape(dy as tf.Tensor, saved[0]!.shape) }),
};

const transpose: tf.GradConfig = {
  kernelName: tf.Transpose,
  gradFunc: (dy, _saved, attrs): Grads => {
    const { perm } = attrs as { perm: number[] };
    const inverse = new Array<number>(perm.length);
    perm.forEach((from, to) => (inverse[from] = to));
    return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
  },
};

/** Slice's `begin`/`size` as given to the op (a number, a short list, −1 for "to the end"), made explicit per axis. */
function sliceBounds(shape: readonly number[], begin: number | number[], size: number | number[] | undefined): { begin: number[]; size: number[] } {
  const b = shape.map((_, i) => (Array.isArray(begin) ? (begin[i] ?? 0) : i === 0 ? begin : 0));
  const s = shape.map((d, i) => {
    const given = Array.isArray(size) ? (size[i] ?? -1) : i === 0 && size !== undefined ? size : -1;
    return given === -1 ? d - b[i]! : given;
  });
  return { begin: b, size: s };
}

const slice: tf.GradConfig = {
  kernelName: tf.Slice,
  inputsToSave: ['x'],
  // Zeros around the slice: pad dy back to x's shape.
  gradFunc: (dy, saved, attrs): Grads => {
    const x = saved[0]!;
    const { begin, size } = sliceBounds(x.shape, (attrs as { begin: number | number[] }).begin, (attrs as { size?: number | number[] }).size);
    return { x: () => tf.pad(dy as tf.Tensor, x.shape.map((d, i) => [begin[i]!, d - begin[i]! - size[i]!] as [number, number])) };
  },
};

const splitV: tf.GradConfig = {
  kernelName: tf.SplitV,
  // The pieces' dys side by side again (the engine passes zeros for unused pieces).
  gradFunc: (dy, _saved, attrs): Grads => ({ x: () => tf.concat(Array.isArray(dy) ? dy : [dy], (attrs as { axis: number }).axis) }),
};

const concat: tf.GradConfig = {
  kernelName: tf.Concat,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs): Grads => {
    const inputs = saved as tf.Tensor[];
    const axis = (attrs as { axis: number }).axis < 0 ? (attrs as { axis: number }).axis + inputs[0]!.rank : (attrs as { axis: number }).axis;
    const sizes = inputs.map((t) => t.shape[axis]!);
    // Lazy per input, as the engine asks: each one splits dy again (cheap next to the model; keeps the closures independent).
    return Object.fromEntries(inputs.map((_, i) => [String(i), () => tf.split(dy as tf.Tensor, sizes, axis)[i]!]));
  },
};

const pack: tf.GradConfig = {
  kernelName: tf.Pack,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs): Grads => {
    const count = (saved as tf.Tensor[]).length;
    const axis = (attrs as { axis: number }).axis < 0 ? (attrs as { axis: number }).axis + (dy as tf.Tensor).rank : (attrs as { axis: number }).axis;
    return Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), () => tf.unstack(dy as tf.Tensor, axis)[i]!]));
  },
};

const tile: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  // Output axis i holds reps[i] copies of x's axis i one after the other: view dy
  // as [reps0, x0, reps1, x1, …] and sum the copies away.
  gradFunc: (dy, saved, attrs): Grads => {
    const x = saved[0]!;
    const { reps } = attrs as { reps: number[] };
    return {
      x: () => {
        const interleaved = x.shape.flatMap((d, i) => [reps[i]!, d]);
        const copyAxes = x.shape.map((_, i) => 2 * i);
        return tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, interleaved), copyAxes), x.shape);
      },
    };
  },
};

const gather: tf.GradConfig = {
  kernelName: tf.GatherV2,
  inputsToSave: ['x', 'indices'],
  // Scatter-add dy's rows back to the rows of x they were gathered from
  // (repeated indices add up): an unsorted segment sum along `axis`.
  gradFunc: (dy, saved, attrs): Grads => {
    const [x, indices] = saved as [tf.Tensor, tf.Tensor];
    const { axis: givenAxis, batchDims = 0 } = attrs as { axis: number; batchDims?: number };
    if (batchDims !== 0) throw new UnsupportedGradientError('GatherV2', `batchDims ${batchDims}`);
    const axis = givenAxis < 0 ? givenAxis + x.rank : givenAxis;
    return {
      x: () => {
        const outer = x.shape.slice(0, axis).reduce((n, d) => n * d, 1);
        const inner = x.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
        const ids = tf.reshape(indices, [indices.size]) as tf.Tensor1D;
        // Rows gathered along the first axis (the embeddings) are already in front: no transposes,
        // which would copy dy and the whole [V, C] sum (34 ms of a GPT-2 124M full-FT step).
        if (outer === 1) return tf.reshape(tf.unsortedSegmentSum(tf.reshape(dy as tf.Tensor, [indices.size, inner]), ids, x.shape[axis]!), x.shape);
        // dy is x.shape[:axis] + indices.shape + x.shape[axis+1:]; bring the gathered rows to the front.
        const rows = tf.transpose(tf.reshape(dy as tf.Tensor, [outer, indices.size, inner]), [1, 0, 2]);
        const summed = tf.unsortedSegmentSum(rows, ids, x.shape[axis]!);
        return tf.reshape(tf.transpose(summed, [1, 0, 2]), x.shape);
      },
      indices: () => tf.zeros(indices.shape, 'float32'),
    };
  },
};

const identity: tf.GradConfig = {
  kernelName: tf.Identity,
  gradFunc: (dy): Grads => ({ x: () => tf.cast(dy as tf.Tensor, 'float32') }),
};

const cast: tf.GradConfig = {
  kernelName: tf.Cast,
  // Only float-to-float casts are differentiable; the engine prunes the rest.
  gradFunc: (dy): Grads => ({ x: () => tf.clone(dy as tf.Tensor) }),
};

/** The shape gradients, one per kernel. */
export const shapeGradients: tf.GradConfig[] = [reshape, expandDims, transpose, slice, splitV, concat, pack, tile, gather, identity, cast];
