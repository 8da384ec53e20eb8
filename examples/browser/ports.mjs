// Ports for an example that must not clash with the README's `npm start` (Tusk on :1080) or
// another example: a port given in the environment is used as is, a default one is replaced by a
// free port when it is taken, and a taken port ends in one line that says what to do.
import getPort from 'get-port'

/** The port from the environment variable `name`, or `preferred` when free, or any free port. */
export async function choosePort(name, preferred) {
  const given = process.env[name]
  if (given !== undefined) {
    const port = Number(given)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${name}=${given} is not a port number (0 to 65535; 0 picks a free one)`)
    }
    return port
  }
  const port = await getPort({ port: preferred, host: '127.0.0.1' })
  if (port !== preferred) {
    console.log(`Port ${preferred} is in use, so this example uses ${port}; set ${name} to choose.`)
  }
  return port
}

/** Runs `listen`; a port already in use becomes one clear sentence instead of a stack trace. */
export async function listenOrExplain(name, port, listen) {
  try {
    return await listen()
  } catch (error) {
    if (error?.code === 'EADDRINUSE') {
      throw new Error(
        `port ${port} is already in use: stop what listens there or set ${name} to a free port (0 picks one).`,
      )
    }
    throw error
  }
}
