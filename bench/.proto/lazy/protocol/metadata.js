// Upload-Metadata (tus 1.0.0, Creation): "one or more comma-separated key-value pairs. The key and
// value MUST be separated by a space. The key MUST NOT contain spaces and commas and MUST NOT be
// empty. The key SHOULD be ASCII encoded and the value MUST be Base64 encoded. All keys MUST be
// unique. The value MAY be empty", in which case the space MAY be left out.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Parses the header; returns the pairs, or a short reason when it breaks a rule above. */
export function parseMetadata(header) {
    const pairs = [];
    const seen = new Set();
    for (const item of header.split(',')) {
        const parts = item.split(' ');
        const key = parts[0] ?? '';
        if (parts.length > 2)
            return { error: `pair "${item.slice(0, 40)}" has more than one space` };
        if (key.length === 0)
            return { error: 'empty key' };
        if (/[^\x21-\x7e]/.test(key))
            return { error: `key "${key.slice(0, 40)}" is not printable ASCII` };
        if (seen.has(key))
            return { error: `duplicate key "${key}"` };
        const value = parts[1] ?? '';
        if (value.length % 4 !== 0 || !BASE64.test(value))
            return { error: `value of "${key}" is not base64` };
        seen.add(key);
        pairs.push({ key, base64: value });
    }
    return pairs;
}
/** A metadata value as text, or undefined when absent or not valid UTF-8. */
export function metadataText(pairs, ...keys) {
    if (!pairs)
        return undefined;
    for (const key of keys) {
        const value = pairs[key];
        if (typeof value === 'string' && value.length > 0 && !value.includes('\uFFFD'))
            return value;
    }
    return undefined;
}
//# sourceMappingURL=metadata.js.map