// Small statistics helpers for benchmark figures.

export function median(values) {
  return quantile(values, 0.5)
}

/** Linear-interpolated quantile of an unsorted array (q in [0, 1]). */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN
  const sorted = Float64Array.from(values).sort()
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower)
}

export function min(values) {
  return values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
}

export function max(values) {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)
}
