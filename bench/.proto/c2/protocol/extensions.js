/**
 * Tus-Extension, composed by capability: what the store's @tus DataStore implements (creation,
 * creation-with-upload, creation-defer-length, termination, expiration, as it declares them), plus
 * what Tusk's own handlers add: checksum and checksum-trailer on any store (a chunk is staged,
 * verified, then written with DataStore.write), concatenation only when the store can assemble.
 */
export function supportedExtensions(store) {
    const extensions = store.datastore.extensions.filter((name) => KNOWN.has(name));
    extensions.push('checksum', 'checksum-trailer');
    if (store.concatenate)
        extensions.push('concatenation');
    return extensions;
}
// Only names of tus 1.0.0 extensions are announced (a DataStore may declare others, or misspell).
const KNOWN = new Set([
    'creation',
    'creation-with-upload',
    'creation-defer-length',
    'termination',
    'expiration',
]);
//# sourceMappingURL=extensions.js.map