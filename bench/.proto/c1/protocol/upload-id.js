import { ERR } from '../errors.js';
// Ids Tusk hands out are 32 hex characters (@tus/utils Uid.rand); other tus servers' ids that a
// store may hold are still URL-safe. Anything else (dots, slashes, NUL, percent-escapes that decode
// to them) can only be an attack on the store's paths and is refused before any store sees it.
const SAFE_ID = /^[A-Za-z0-9_-]{1,200}$/;
/** Where a request path points under the base path: the upload collection, one upload, or nowhere. */
export function resolveTarget(pathname, basePath) {
    const prefix = basePath === '/' ? '' : basePath;
    if (pathname === prefix || pathname === `${prefix}/`)
        return { kind: 'collection' };
    if (!pathname.startsWith(`${prefix}/`))
        return { kind: 'none' };
    const raw = pathname.slice(prefix.length + 1).replace(/\/$/, '');
    let id;
    try {
        id = decodeURIComponent(raw);
    }
    catch {
        throw ERR.INVALID_ID('malformed percent-encoding');
    }
    if (!SAFE_ID.test(id))
        throw ERR.INVALID_ID('only letters, digits, "-" and "_" are allowed');
    return { kind: 'upload', id };
}
//# sourceMappingURL=upload-id.js.map