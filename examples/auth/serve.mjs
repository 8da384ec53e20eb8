#!/usr/bin/env node
// Serves the authentication example: the app server (page, pretend login, upload tokens, download
// links) on one port and Tusk with authentication on (a shared JWT secret) on another, so the page
// uploads across origins with `Authorization: Bearer` like a real deployment.
//   npm start -w examples/auth               page on http://127.0.0.1:8080, Tusk on :1080 (or free
//                                            ports when those are taken)
//   TUSK_JWT_SECRET=... npm start -w examples/auth    a secret of your own (at least 32 characters),
//                                            e.g. to mint tokens with `npx tusk-server token` too
//   PAGE_PORT=0 TUSK_PORT=0 node serve.mjs    free ports
import { randomBytes } from 'node:crypto'
import { startServer } from '@tusk/server'
// The browser example's port handling: a taken default port is replaced, a taken given one explained.
import { choosePort, listenOrExplain } from '../browser/ports.mjs'
import { createAppServer } from './app-server.mjs'

/** Largest file the app lets a user upload (the upload tokens' max_size). */
const MAX_SIZE = 64 * 1024 * 1024

export async function serveExample({
  pagePort = 8080,
  tuskPort = 1080,
  dataDir = './data',
  // Only the app server and Tusk know it; a fresh one per start is enough for a demo.
  jwtSecret = randomBytes(32).toString('base64url'),
  maxSize = MAX_SIZE,
} = {}) {
  if (jwtSecret.length < 32)
    throw new Error('the JWT secret (TUSK_JWT_SECRET) must be at least 32 characters long')
  // Both sides pin the issuer and audience: a token minted for another service is refused.
  const jwt = { key: jwtSecret, issuer: 'tusk-example-auth', audience: 'tusk' }
  let tusk
  const app = await createAppServer({ jwt, maxSize, tuskEndpoint: () => tusk.url })
  await listenOrExplain(
    'PAGE_PORT',
    pagePort,
    () =>
      new Promise((resolve, reject) => {
        app.once('error', reject)
        app.listen(pagePort, '127.0.0.1', resolve)
      }),
  )
  const pageUrl = `http://127.0.0.1:${app.address().port}/`
  try {
    tusk = await listenOrExplain('TUSK_PORT', tuskPort, () =>
      startServer({
        port: tuskPort,
        dataDir,
        logLevel: 'warn',
        jwtSecret,
        jwtIssuer: jwt.issuer,
        jwtAudience: jwt.audience,
        // Only the app's page may call Tusk from a browser.
        corsOrigins: [new URL(pageUrl).origin],
      }),
    )
  } catch (error) {
    await new Promise((resolve) => app.close(resolve))
    throw error
  }
  return {
    pageUrl,
    tusk,
    jwt,
    async close() {
      app.closeAllConnections()
      await new Promise((resolve) => app.close(resolve))
      await tusk.close()
    },
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const example = await serveExample({
      pagePort: await choosePort('PAGE_PORT', 8080),
      tuskPort: await choosePort('TUSK_PORT', 1080),
      ...(process.env.TUSK_JWT_SECRET ? { jwtSecret: process.env.TUSK_JWT_SECRET } : {}),
    })
    console.log(`Open ${example.pageUrl}  (uploads go to ${example.tusk.url}, which requires a token)`)
    const stop = () => example.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  } catch (error) {
    console.error(`examples/auth: ${error instanceof Error ? error.message : error}`)
    process.exit(1)
  }
}
