/**
 * AdamW (Loshchilov & Hutter) as PyTorch's `torch.optim.AdamW` computes it:
 * decoupled weight decay `θ ← θ − lr·λ·θ`, then the Adam step with bias
 * correction, `θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`. tfjs has no
 * decoupled decay, and a checkpoint needs the moments anyway, so it lives here.
 */
import { TunekitAdamW, type TunekitAdamWAttrs } from '@tunekit/backend-spec';
import { InvalidArgumentError, InvalidFileError } from '@tunekit/formats';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackendHas, runOptionalKernel } from '../tf/optional-kernel';
import { variableOf } from '../tf/variables';

/** Options of {@link AdamW}. */
export interface AdamWOptions {
  /** Decay rate λ (multiplied by the learning rate, as in PyTorch). Default 0.01 (PyTorch's). */
  weightDecay?: number;
  /** β₁ and β₂. Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** ε. Default 1e-8. */
  eps?: number;
  /**
   * Which variables decay. Default: rank ≥ 2 (weight matrices and embeddings,
   * not biases or layer-norm gains), as nanoGPT and Hugging Face's Trainer
   * group them. `() => true` decays every variable, as PyTorch's
   * `AdamW(model.parameters())` in the LLMs-from-scratch chapters does.
   */
  decays?: (name: string, variable: tf.Variable) => boolean;
}

/** The optimizer state: step count and both moments of each variable. */
export interface AdamWState {
  /** Updates applied so far (t). */
  step: number;
  /** First and second moments by variable name. */
  moments: Map<string, {
    /** First moment (`exp_avg`). */
    m: Float32Array;
    /** Second moment (`exp_avg_sq`). */
    v: Float32Array;
    /** The variable's shape. */
    shape: number[];
  }>;
}

interface Slot {
  variable: tf.Variable;
  m: tf.Variable;
  v: tf.Variable;
  decay: boolean;
}

/** AdamW over a fixed set of named variables. */
export class AdamW {
  /** Updates applied so far. */
  step = 0;
  private readonly slots = new Map<string, Slot>();
  private readonly weightDecay: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(variables: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    this.weightDecay = options.weightDecay ?? 0.01;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = options.eps ?? 1e-8;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw new InvalidArgumentError(`AdamW: betas must be in [0, 1), got [${beta1}, ${beta2}]`, { fix: 'Pass betas as two numbers in [0, 1), e.g. [0.9, 0.999].' });
    if (!(this.weightDecay >= 0)) throw new InvalidArgumentError(`AdamW: weightDecay must be ≥ 0, got ${this.weightDecay}`, { fix: 'Pass weightDecay ≥ 0 (0.01 is usual), or 0 for none.' });
    if (!(this.eps > 0)) throw new InvalidArgumentError(`AdamW: eps must be > 0, got ${this.eps}`, { fix: 'Pass a small positive eps such as 1e-8.' });
    const decays = options.decays ?? ((_name: string, variable: tf.Variable) => variable.rank >= 2);
    for (const [name, variable] of variables) {
      const [m, v] = [variableOf(() => tf.zerosLike(variable), { trainable: false }), variableOf(() => tf.zerosLike(variable), { trainable: false })];
      this.slots.set(name, { variable, m: m as tf.Variable, v: v as tf.Variable, decay: decays(name, variable) });
    }
  }

  /** Names of the optimised variables. */
  get names(): string[] {
    return [...this.slots.keys()];
  }

  /** Whether the named variable gets weight decay. */
  decays(name: string): boolean {
    return this.slotOf(name).decay;
  }

  /**
   * Applies one update with learning rate `learningRate`. Variables without a
   * gradient are left alone (as PyTorch skips parameters whose grad is None).
   * `options.gradientScale` multiplies every gradient first (gradient
   * clipping's factor `maxNorm / (norm + 1e-6)`): the same numbers as passing
   * `tf.mul(g, gradientScale)`, without writing that copy when the fused
   * kernel runs.
   */
  apply(gradients: Map<string, tf.Tensor>, learningRate: number, options: { gradientScale?: number } = {}): void {
    const gradientScale = options.gradientScale ?? 1;
    if (!(gradientScale > 0 && gradientScale <= 1)) throw new InvalidArgumentError(`AdamW: gradientScale must be in (0, 1], got ${gradientScale}`, { fix: 'Pass clip_grad_norm_\'s factor maxNorm / (norm + 1e-6) when it is below 1, or leave gradientScale out.' });
    this.step += 1;
    const t = this.step;
    const stepSize = learningRate / (1 - this.beta1 ** t);
    const correction2 = Math.sqrt(1 - this.beta2 ** t);
    // The optional fused kernel TunekitAdamW (one pass per variable instead
    // of 14; @tunekit/cpu-kernels registers it) where the backend has it,
    // else op by op, in the same float32 op order.
    const fused = activeBackendHas(TunekitAdamW);
    for (const [name, gradient] of gradients) {
      const slot = this.slotOf(name);
      if (fused && slot.variable.dtype === 'float32' && gradient.dtype === 'float32' && gradient.size === slot.variable.size) {
        const decay = slot.decay && this.weightDecay > 0 ? 1 - learningRate * this.weightDecay : 1;
        // consumesInputs: the three assigns below dispose the old variable, m and v data at once, so the backend may update them in place.
        const attrs: TunekitAdamWAttrs = { beta1: this.beta1, beta2: this.beta2, decay, correction2, eps: this.eps, stepSize, gradientScale, consumesInputs: true };
        const [variable, m, v] = runOptionalKernel(TunekitAdamW, { variable: slot.variable, gradient, m: slot.m, v: slot.v }, attrs);
        slot.variable.assign(variable);
        slot.m.assign(m);
        slot.v.assign(v);
        tf.dispose([variable, m, v]);
        continue;
      }
      tf.tidy(() => {
        const g = gradientScale === 1 ? gradient : tf.mul(gradient, gradientScale);
        const m = tf.add(tf.mul(slot.m, this.beta1), tf.mul(g, 1 - this.beta1));
        const v = tf.add(tf.mul(slot.v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const decayed = slot.decay && this.weightDecay > 0 ? tf.mul(slot.variable, 1 - learningRate * this.weightDecay) : slot.variable;
        const denominator = tf.add(tf.div(tf.sqrt(v), correction2), this.eps);
        slot.variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), stepSize)));
        slot.m.assign(m);
        slot.v.assign(v);
      });
    }
  }

  /** A copy of the state (for checkpoints). */
  async getState(): Promise<AdamWState> {
    const moments: AdamWState['moments'] = new Map();
    for (const [name, slot] of this.slots) {
      moments.set(name, { m: (await slot.m.data()) as Float32Array, v: (await slot.v.data()) as Float32Array, shape: [...slot.variable.shape] });
    }
    return { step: this.step, moments };
  }

  /** Restores a state from {@link AdamW.getState}; every variable must be present with its shape. */
  setState(state: AdamWState): void {
    for (const [name, slot] of this.slots) {
      const saved = state.moments.get(name);
      if (!saved) throw new InvalidFileError(`AdamW state has no moments for "${name}"`, { fix: 'Resume with the same trainable parameters as the run that saved this state.' });
      if (saved.m.length !== slot.variable.size || saved.v.length !== slot.variable.size) {
        throw new InvalidFileError(`AdamW state for "${name}" has ${saved.m.length} values, the variable ${slot.variable.size}`, { fix: 'Resume with the same model size and trainable parameters as the run that saved this state.' });
      }
      tf.tidy(() => {
        slot.m.assign(tf.tensor(saved.m, slot.variable.shape, 'float32'));
        slot.v.assign(tf.tensor(saved.v, slot.variable.shape, 'float32'));
      });
    }
    this.step = state.step;
  }

  /** Releases the moment tensors (not the optimised variables). */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.m.dispose();
      slot.v.dispose();
    }
    this.slots.clear();
  }

  private slotOf(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new InvalidArgumentError(`AdamW does not optimise "${name}"`, { fix: 'Ask for one of the variables this optimizer was built with.' });
    return slot;
  }
}
