/** Errors that stop training. */

/** The loss or the gradient became NaN or infinite; the update was not applied. */
export class NonFiniteLossError extends Error {
  /** The update that failed (1-based). */
  readonly step: number;
  /** The offending value. */
  readonly value: number;
  /** The last checkpoint on disk, from before the failure, if any. */
  readonly checkpoint?: string;

  /**
   * @param what - `loss` or `gradient norm`
   * @param step - the failing update
   * @param value - its value
   * @param checkpoint - the last good checkpoint
   */
  constructor(what: 'loss' | 'gradient norm', step: number, value: number, checkpoint?: string) {
    const kept = checkpoint ? ` The last good checkpoint is ${checkpoint} (resume with resumeFrom).` : ' No checkpoint was written (configure checkpoint to keep one).';
    super(`Training stopped at step ${step}: the ${what} is ${value}; the update was not applied.${kept} Try a lower learningRate, warmup, or gradientClip.`);
    this.name = 'NonFiniteLossError';
    this.step = step;
    this.value = value;
    this.checkpoint = checkpoint;
  }
}
