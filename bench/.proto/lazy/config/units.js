// Human-friendly sizes ("8MiB", "1.5GB", "1024") and durations ("30s", "24h", "500ms", "1000").
// Binary and decimal suffixes both exist in the wild; we honour the difference rather than guess.
const SIZE_UNITS = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
};
const DURATION_UNITS = {
    ms: 1,
    s: 1000,
    m: 60_000,
    min: 60_000,
    h: 3_600_000,
    d: 86_400_000,
};
function parseWithUnits(input, units, defaultUnit) {
    if (typeof input === 'number')
        return input;
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(input);
    if (!match)
        return Number.NaN;
    const unit = (match[2] || defaultUnit).toLowerCase();
    const factor = units[unit];
    if (factor === undefined)
        return Number.NaN;
    return Math.round(Number(match[1]) * factor);
}
/** Bytes from "8MiB", "1GB", "1024" or a number. NaN when it is not a size. */
export function parseSize(input) {
    return parseWithUnits(input, SIZE_UNITS, 'b');
}
/** Milliseconds from "30s", "24h", "500ms", "1000" (ms) or a number. NaN when it is not a duration. */
export function parseDuration(input) {
    return parseWithUnits(input, DURATION_UNITS, 'ms');
}
export function formatSize(bytes) {
    for (const [unit, factor] of [
        ['TiB', 2 ** 40],
        ['GiB', 2 ** 30],
        ['MiB', 2 ** 20],
        ['KiB', 2 ** 10],
    ]) {
        if (bytes >= factor && bytes % factor === 0)
            return `${bytes / factor}${unit}`;
    }
    return `${bytes}B`;
}
//# sourceMappingURL=units.js.map