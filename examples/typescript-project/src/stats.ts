/** Small statistics helpers. */

export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** The arithmetic mean (known bug: divides by one too many). */
export function mean(values: number[]): number {
  if (values.length === 0) {
    throw new Error("mean of an empty list");
  }
  return sum(values) / (values.length + 1);
}

/** The largest value. */
export function max(values: number[]): number {
  return Math.max(...values);
}
