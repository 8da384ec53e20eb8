// The floor under a webhook's cost: Tusk's own delivery exchange and nothing else. It sends a given
// event body again and again with Tusk's built code (server/dist: the signer, the keep-alive pool per
// origin, postSigned as the deliverer calls it), 32 at a time like the deliverer, with no event to
// build, no outbox, no upload. What one exchange costs the machine here is what any per-event webhook
// costs at least, whatever the server around it does.
//   node bench/servers/webhook-sender.mjs   (started with fork(): IPC)
// Answers {url, secret, body, count} with {sent, failed, seconds} once all are answered.
import { randomUUID } from 'node:crypto'
import { EndpointPools } from '../../server/dist/hooks/endpoint-pools.js'
import { postSigned } from '../../server/dist/hooks/http-endpoint.js'
import { createSigner } from '../../server/dist/hooks/signing.js'

const IN_FLIGHT = 32

process.on('message', async ({ url, secret, body, count }) => {
  const sign = createSigner([secret])
  const pools = new EndpointPools()
  const dispatcher = pools.for(url)
  let next = 0
  let failed = 0
  const started = performance.now()
  const worker = async () => {
    while (next < count) {
      next++
      const outcome = await postSigned(url, {
        id: `msg_${randomUUID()}`,
        body,
        sign,
        timeoutMs: 10_000,
        readBody: false,
        dispatcher,
      })
      if (!outcome.ok) failed++
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const seconds = (performance.now() - started) / 1000
  await pools.close()
  process.send({ sent: count - failed, failed, seconds })
})
process.on('disconnect', () => process.exit(0))
