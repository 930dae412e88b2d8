/** Errors about training data that name the file, line, record and field. */
import { TunekitError } from '@tunekit/formats';
import { describeSource, type ExampleSource } from './examples';

/** Bad training data: an example too long, a missing or unknown field, an empty split. Code `invalid_data`. */
export class DataError extends TunekitError {
  /** Where the problem is, when it belongs to one record. */
  readonly source?: ExampleSource;
  /** The field at fault, when known. */
  readonly field?: string;

  /**
   * @param message - what is wrong
   * @param where - the record and field, when the problem belongs to one, and the fix
   */
  constructor(message: string, where: { source?: ExampleSource; field?: string; fix?: string } = {}) {
    const location = where.source ? `${describeSource(where.source)}${where.field ? ` field "${where.field}"` : ''}: ` : '';
    super('invalid_data', `${location}${message}`, { fix: where.fix });
    this.source = where.source;
    this.field = where.field;
  }
}

/** Throws a {@link DataError} when a dataset (a split) has no examples. */
export function requireExamples<T>(examples: readonly T[], options: { what: string }): readonly T[] {
  const { what } = options;
  if (examples.length === 0) throw new DataError(`${what} is empty: it has no examples`, { fix: 'Check the data source (file, filter, split sizes): it must hold at least one example.' });
  return examples;
}
