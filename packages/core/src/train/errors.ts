/** Errors that stop training. */
import { TunekitError } from '@tunekit/formats';
import { FileWriteError } from '@tunekit/formats';

/** The loss or the gradient became NaN or infinite; the update was not applied. */
export class NonFiniteLossError extends TunekitError {
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
    super('non_finite_loss', `Training stopped at step ${step}: the ${what} is ${value}; the update was not applied.${kept}`, { fix: 'Try a lower learningRate, warmup, or gradientClip.' });
    this.step = step;
    this.value = value;
    this.checkpoint = checkpoint;
  }
}

/**
 * A checkpoint could not be written (a full disk, most often). What was
 * written of it has been removed, and `latest` still names the previous
 * checkpoint, which is intact. `code` is `disk_full` when the device is full,
 * else `checkpoint_write_failed`.
 */
export class CheckpointWriteError extends TunekitError {
  /** The checkpoint directory that was being written. */
  readonly checkpoint: string;
  /** The file whose write failed, when known; else the checkpoint directory. */
  readonly path: string;
  /** The update the checkpoint was for. */
  readonly step: number;

  /**
   * @param checkpoint - the checkpoint directory
   * @param step - the update it was for
   * @param cause - the underlying failure
   */
  constructor(checkpoint: string, step: number, cause: unknown) {
    const path = cause instanceof FileWriteError ? cause.path : checkpoint;
    const diskFull = cause instanceof FileWriteError && cause.code === 'disk_full';
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(diskFull ? 'disk_full' : 'checkpoint_write_failed', `Cannot write the checkpoint of step ${step} (${path}): ${reason} The partial checkpoint was removed; the previous one, if any, is unchanged.`, {
      fix: diskFull ? 'Free space on that disk (or lower checkpoint.keep, or write checkpoints elsewhere), then resume with resumeFrom.' : 'Resume from the previous checkpoint with resumeFrom once the cause is fixed.',
      cause,
    });
    this.checkpoint = checkpoint;
    this.path = path;
    this.step = step;
  }
}
