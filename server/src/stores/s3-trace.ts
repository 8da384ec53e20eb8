import type { S3 } from '@aws-sdk/client-s3'

// --s3-trace (TUSK_S3_TRACE=1): every S3 request the store makes is written to stderr as one line,
// `s3-trace {"command":"UploadPartCommand","ms":41.2,"ok":true}`, from its start to its answer.
// For finding where the time of an S3 PATCH goes (bench/s3-vs-putobject.mjs sums them per PATCH);
// off by default: a line per request costs more than it tells in production.

export function traceS3Requests(
  client: S3,
  write: (line: string) => void = (line) => process.stderr.write(line),
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now()
      let ok = false
      try {
        const result = await next(args)
        ok = true
        return result
      } finally {
        const ms = Math.round((performance.now() - started) * 10) / 10
        write(`s3-trace ${JSON.stringify({ command: context.commandName, ms, ok })}\n`)
      }
    },
    { step: 'initialize', name: 'tuskS3Trace' },
  )
}
