import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { CHECKSUM_ALGORITHMS, isChecksumAlgorithm } from '../../core/checksum-algorithms.js'
import { FileUrlStorage } from '../../node/file-url-storage.js'
import {
  collect,
  parseCount,
  parseEndpoint,
  parseHeaders,
  parseMetadata,
  parsePositiveInt,
  parseProtocol,
  parseSize,
} from '../parse.js'
import { runUploads, type UploadJob } from '../run-uploads.js'
import { addTokenOption, type TokenFlags, withToken } from '../token.js'
import { UsageError } from '../usage-error.js'

export interface TransferFlags extends TokenFlags {
  chunkSize: string
  parallel: string
  checksum?: string
  header: string[]
  json?: boolean
  retries?: string
  jobs: string
  protocol?: string
}

/** Options shared by `upload` and `resume`. */
export function addTransferOptions(command: Command): Command {
  return addTokenOption(command)
    .option('--chunk-size <size>', 'largest request body (e.g. 8MiB, 512KiB)', '8MiB')
    .option('--parallel <n>', 'split each file into n parallel partial uploads (needs concatenation)', '1')
    .option('--checksum <algorithm>', `per-chunk Upload-Checksum (${CHECKSUM_ALGORITHMS.join(', ')})`)
    .option('-H, --header <line>', "extra request header 'Name: value' (repeatable)", collect, [])
    .option(
      '--retries <n>',
      'retries after consecutive failures (a server that never answered: for at most 25 s)',
      '8',
    )
    .option('--jobs <n>', 'files uploaded at the same time', '2')
    .option(
      '--protocol <name>',
      'tus (tus v1, default) or ietf (the IETF resumable-upload draft, interop 6; no --checksum or --parallel)',
    )
    .option('--json', 'print machine-readable results')
}

export function transferOptions(flags: TransferFlags) {
  const { checksum } = flags
  if (checksum !== undefined && !isChecksumAlgorithm(checksum)) {
    throw new UsageError(`--checksum must be one of ${CHECKSUM_ALGORITHMS.join(', ')}, not "${checksum}".`)
  }
  return {
    ...(flags.protocol !== undefined ? { protocol: parseProtocol(flags.protocol) } : {}),
    chunkSize: parseSize(flags.chunkSize),
    parallelUploads: parsePositiveInt('--parallel', flags.parallel),
    ...(checksum ? { checksum } : {}),
    headers: withToken(parseHeaders(flags.header), flags),
    retry: { maxRetries: parseCount('--retries', flags.retries ?? '8') },
    // The URL is on disk before the first byte is sent (no creation-with-upload): a kill at any
    // moment leaves an upload the next run can find and resume.
    creationWithUpload: false,
    urlStorage: new FileUrlStorage(),
  }
}

export function registerUpload(program: Command, setExit: (code: number) => void): void {
  addTransferOptions(
    program
      .command('upload')
      .description('upload files, resuming any earlier attempt of the same file')
      .argument('<files...>', 'files to upload')
      .option('-e, --endpoint <url>', 'tus endpoint (default: $TUSK_ENDPOINT)')
      .option('-m, --metadata <key=value>', 'upload metadata (repeatable)', collect, [])
      .option('--no-resume', 'always start new uploads'),
  ).action(
    async (
      files: string[],
      flags: TransferFlags & { endpoint?: string; metadata: string[]; resume: boolean },
    ) => {
      const endpoint = parseEndpoint(flags.endpoint ?? process.env.TUSK_ENDPOINT)
      const shared = transferOptions(flags)
      const metadata = parseMetadata(flags.metadata)
      const jobs: UploadJob[] = []
      for (const file of files) {
        const path = resolve(file)
        const info = await stat(path).catch(() => null)
        if (!info?.isFile()) throw new UsageError(`No readable file at ${file}.`)
        jobs.push({ path, options: { ...shared, endpoint, metadata, resume: flags.resume } })
      }
      setExit(
        await runUploads(jobs, {
          json: Boolean(flags.json),
          concurrency: parsePositiveInt('--jobs', flags.jobs),
        }),
      )
    },
  )
}
