/** A byte count as the largest whole binary unit: 1 GiB, 8 MiB, 64 KiB, 1000 B. */
export function size(bytes) {
  for (const [unit, n] of [
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ]) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`
  }
  return `${bytes} B`
}
