/** Summary statistics, as the OpenAI cookbook prints them. @module */

/** A distribution summary. */
export interface Distribution {
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Mean. */
  mean: number;
  /** Median. */
  median: number;
  /** 10th percentile (the cookbook labels it "p5" but computes the 0.1 quantile). */
  p10: number;
  /** 90th percentile (the cookbook's "p95" is the 0.9 quantile). */
  p90: number;
}

/** Summarises values (all zeros for an empty list). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, median: 0, p10: 0, p90: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
  };
}

/** NumPy's default (linear) quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}
