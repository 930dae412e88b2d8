/** The error of a training setting that cannot work, raised before step 1. */
import { TunekitError } from '@tunekit/formats';

/** A setting of `train()` that is out of range (or of the wrong kind); nothing was trained. */
export class InvalidSettingError extends TunekitError {
  /** The option, as written in the settings (`gradientClip`, `optimizer.learningRate`, `checkpoint.every`…). */
  readonly option: string;
  /** The value given. */
  readonly value: unknown;

  /**
   * @param option - the option's path in the settings
   * @param value - the value given
   * @param requirement - what the value must be, e.g. `a positive integer`
   * @param fix - what to do instead, when the requirement alone does not say
   */
  constructor(option: string, value: unknown, requirement: string, fix?: string) {
    super('invalid_setting', `train(): ${option} must be ${requirement}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}; nothing was trained.`, { fix });
    this.option = option;
    this.value = value;
  }
}
