// The checksum algorithms of the tus checksum extension this SDK can compute: listed once here;
// the type, the CLI's --checksum choices and the Node platform's digests all come from this list.

export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'sha512', 'md5', 'crc32'] as const

/** Checksum algorithms of the tus checksum extension that this SDK can compute. */
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number]

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
}
