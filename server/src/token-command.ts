import { createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mintDownloadToken, mintUploadToken } from './auth/mint-token.js'
import { ConfigError, loadConfig } from './config/load.js'
import { parseSize } from './config/units.js'

const USAGE = `usage: tusk-server token --owner <id> [--scope upload|download] [--upload-id <id>]
                         [--max-size <size>] [--metadata key=value]... [--expires-in 10m]
                         [--private-key <pem file> --algorithm <RS256|ES256|EdDSA|...>]
                         [server options: --jwt-secret, --jwt-secret-file, --jwt-issuer, ...]

Prints a short-lived token for operators: scope "upload" (create and resume uploads as <owner>) or
"download" (a download link's token, bound to --upload-id). It is signed with the server's
--jwt-secret (flag, TUSK_JWT_SECRET or --config file), or with --private-key for a server that
verifies with --jwt-public-key or a JWKS.`

const OWN = new Set([
  'owner',
  'scope',
  'upload-id',
  'max-size',
  'metadata',
  'expires-in',
  'private-key',
  'algorithm',
])

/** `tusk-server token ...`: returns the exit status (0 printed a token, 2 usage or configuration). */
export async function tokenCommand(argv: string[]): Promise<number> {
  try {
    const own = new Map<string, string[]>()
    const rest: string[] = []
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] as string
      if (arg === '--help' || arg === '-h') {
        console.log(USAGE)
        return 0
      }
      const name = arg.startsWith('--') ? arg.slice(2).split('=', 1)[0] : undefined
      if (name && OWN.has(name)) {
        const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
        if (value === undefined) throw new ConfigError(`--${name} needs a value`)
        own.set(name, [...(own.get(name) ?? []), value])
      } else rest.push(arg)
    }
    const one = (name: string) => own.get(name)?.at(-1)
    const owner = one('owner')
    if (!owner) throw new ConfigError('--owner is required')
    const scope = one('scope') ?? 'upload'
    if (scope !== 'upload' && scope !== 'download') throw new ConfigError('--scope is upload or download')
    const config = loadConfig(rest)
    const privateKey = one('private-key')
    let key: string | KeyObject
    if (privateKey) {
      key = createPrivateKey(readFileSync(privateKey, 'utf8'))
    } else {
      const secret =
        config.jwtSecret ??
        (config.jwtSecretFile ? readFileSync(config.jwtSecretFile, 'utf8').trim() : undefined)
      if (!secret)
        throw new ConfigError("give the server's --jwt-secret (or --jwt-secret-file), or --private-key")
      key = secret
    }
    const common = {
      key,
      algorithm: one('algorithm'),
      owner,
      ownerClaim: config.jwtOwnerClaim,
      expiresIn: one('expires-in') ?? '10m',
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    }
    const uploadId = one('upload-id')
    let token: string
    if (scope === 'download') {
      if (!uploadId) throw new ConfigError('a download token needs --upload-id')
      token = await mintDownloadToken({ ...common, uploadId })
    } else {
      const maxSize = one('max-size') === undefined ? undefined : parseSize(one('max-size') as string)
      if (maxSize !== undefined && !Number.isSafeInteger(maxSize))
        throw new ConfigError('--max-size is a size, e.g. 1GiB')
      const metadata = Object.fromEntries(
        (own.get('metadata') ?? []).map((pair) => {
          const at = pair.indexOf('=')
          if (at <= 0) throw new ConfigError(`--metadata ${pair}: expected key=value`)
          return [pair.slice(0, at), pair.slice(at + 1)]
        }),
      )
      token = await mintUploadToken({
        ...common,
        maxSize,
        uploadId,
        metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
      })
    }
    console.log(token)
    return 0
  } catch (error) {
    if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`tusk-server token: ${(error as Error).message}`)
      console.error('run `tusk-server token --help` for usage')
      return 2
    }
    throw error
  }
}
