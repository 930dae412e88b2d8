/**
 * native/lane-sum.h's summation order written out in JavaScript (whose
 * numbers are doubles): element i in lane i % 16 up to the last whole group
 * of 16, then the tail, then the 16 lanes added to it in order. The row
 * Sum/Mean and the global norm's sum of squares promise exactly this.
 */
export function laneSum(values: ArrayLike<number>, start: number, n: number, term: (v: number) => number = (v) => v): number {
  const lanes = new Array<number>(16).fill(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    for (let l = 0; l < 16; l++) lanes[l] = (lanes[l] as number) + term(values[start + i + l] as number);
  }
  let sum = 0;
  for (; i < n; i++) sum += term(values[start + i] as number);
  for (const lane of lanes) sum += lane;
  return sum;
}
