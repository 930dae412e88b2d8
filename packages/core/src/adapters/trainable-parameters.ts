/** PEFT's `print_trainable_parameters` report. */
import { countTrainable, type ParameterSource } from '../model/parameter-source';

/** Trainable and total parameter counts; `toString()` prints PEFT's line. */
export interface TrainableReport {
  trainable: number;
  total: number;
  /** trainable / total × 100. */
  percent: number;
  /** `trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364` */
  toString(): string;
}

/**
 * Counts the parameters of the given sources (model, adapters, heads; a
 * variable shared by two sources counts once) and which of them train.
 */
export function trainableParameters(sources: ParameterSource | readonly ParameterSource[]): TrainableReport {
  const counts = countTrainable(Array.isArray(sources) ? sources : [sources as ParameterSource]);
  return { ...counts, toString: () => formatTrainableParameters(counts) };
}

/** PEFT's format: `trainable params: X || all params: Y || trainable%: Z` (thousands separators, 4 decimals). */
export function formatTrainableParameters(report: { trainable: number; total: number; percent: number }): string {
  const grouped = (n: number) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `trainable params: ${grouped(report.trainable)} || all params: ${grouped(report.total)} || trainable%: ${report.percent.toFixed(4)}`;
}
