// The page: a pretend login against this page's own server, then uploads to Tusk (another origin)
// through the SDK's browser bundle. The SDK asks `getToken` before its requests; the token comes
// from this page's server, which mints it only for a logged-in session. A finished upload gets a
// download link from the same server: a plain <a href> whose token is in the URL.
import { upload } from '/tusk.js'

const $ = (selector, root = document) => root.querySelector(selector)

const UNITS = ['B', 'KiB', 'MiB', 'GiB']
function formatBytes(bytes) {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

/** Calls this page's server; a refusal becomes an Error with the server's one-line reason. */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  })
  const answer = await response.json().catch(() => ({}))
  if (!response.ok) throw new Error(answer.error ?? `${method} ${path} answered ${response.status}`)
  return answer
}

let session = await api('GET', '/api/session')

function showSession() {
  const user = session.username
  $('#login').hidden = user !== null
  $('#who').hidden = user === null
  $('#user').textContent = user ?? ''
  $('#endpoint').textContent = session.endpoint
  $('#max-size').textContent = formatBytes(session.maxSize)
}

$('#login').addEventListener('submit', async (event) => {
  event.preventDefault()
  $('#login-error').textContent = ''
  try {
    session = { ...session, ...(await api('POST', '/api/login', { username: $('#username').value })) }
    showSession()
  } catch (error) {
    $('#login-error').textContent = error.message
  }
})

$('#logout').addEventListener('click', async () => {
  session = { ...session, ...(await api('POST', '/api/logout', {})) }
  showSession()
})

/**
 * The token provider of one upload: a fresh token from this page's server each time the SDK asks
 * (before its requests, and again after a 401), so an expired or refused token is never reused. A
 * refusal is kept so the page can show the server's reason.
 */
function tokensFor(file) {
  const provider = async () => {
    try {
      const { token } = await api('POST', '/api/upload-token', { filename: file.name })
      provider.refusal = undefined
      return token
    } catch (error) {
      provider.refusal = error.message
      throw error
    }
  }
  return provider
}

async function uploadFile(file) {
  const row = $('#upload-row').content.firstElementChild.cloneNode(true)
  $('.name', row).textContent = file.name
  $('#uploads').prepend(row)
  $('#none').hidden = true
  const status = $('.status', row)

  const getToken = tokensFor(file)
  const handle = upload(file, {
    endpoint: session.endpoint,
    getToken,
    onProgress: (p) => {
      const total = p.bytesTotal ?? file.size
      const done = Math.max(p.bytesSent, p.bytesAcknowledged)
      $('progress', row).value = total ? done / total : 0
      status.textContent = `${formatBytes(done)} of ${formatBytes(total)}`
    },
  })
  const result = await handle.start().done
  if (!result.ok) {
    row.classList.add('failed')
    status.textContent = `Upload failed: ${getToken.refusal ?? result.error.message}`
    return
  }
  $('progress', row).value = 1
  $('.owner', row).textContent = `uploaded by ${session.username}`
  try {
    const { href } = await api('GET', `/api/download-link?upload=${encodeURIComponent(result.url)}`)
    const link = Object.assign(document.createElement('a'), { href, className: 'download' })
    link.textContent = 'Download'
    status.replaceChildren(`${formatBytes(result.size)} uploaded · `, link)
  } catch (error) {
    status.textContent = `Uploaded, but no download link: ${error.message}`
  }
}

$('#file').addEventListener('change', (event) => {
  for (const file of event.target.files) uploadFile(file)
  event.target.value = ''
})

showSession()
