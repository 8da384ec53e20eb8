import { CHECKSUM_ALGORITHMS } from '../checksum.js';
import { TUS_VERSION } from '../request-checks.js';
import { sendEmpty } from '../respond.js';
/**
 * OPTIONS: "A successful response ... MUST contain the Tus-Version header. It MAY include the
 * Tus-Extension and Tus-Max-Size headers"; with checksum, "The Tus-Checksum-Algorithm header MUST be
 * included". Tus-Extension lists exactly what this store supports.
 */
export function sendOptions(ctx, res) {
    const { extensions, config } = ctx;
    sendEmpty(res, 204, {
        'Tus-Version': TUS_VERSION,
        'Tus-Extension': extensions.length > 0 ? extensions.join(',') : undefined,
        'Tus-Max-Size': config.maxSize > 0 ? String(config.maxSize) : undefined,
        'Tus-Checksum-Algorithm': extensions.includes('checksum') ? CHECKSUM_ALGORITHMS.join(',') : undefined,
    });
}
//# sourceMappingURL=options.js.map