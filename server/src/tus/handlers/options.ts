import { DIGEST_ALGORITHMS } from '../../upload/checksum/digest.js'
import { TUS_VERSION } from '../constants.js'
import type { TusHandler } from '../context.js'
import { sendEmpty } from '../respond.js'

/**
 * OPTIONS: "A successful response ... MUST contain the Tus-Version header. It MAY include the
 * Tus-Extension and Tus-Max-Size headers"; with checksum, "The Tus-Checksum-Algorithm header MUST be
 * included". Tus-Extension lists exactly what this store supports.
 */
export const handleOptions: TusHandler = async ({ extensions, config }, { res }) => {
  sendEmpty(res, 204, {
    'Tus-Version': TUS_VERSION,
    'Tus-Extension': extensions.length > 0 ? extensions.join(',') : undefined,
    'Tus-Max-Size': config.maxSize > 0 ? String(config.maxSize) : undefined,
    'Tus-Checksum-Algorithm': extensions.includes('checksum') ? DIGEST_ALGORITHMS.join(',') : undefined,
  })
}
