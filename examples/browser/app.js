// The page's logic: one upload at a time through the Tusk SDK's browser bundle.
import { upload } from '/tusk.js'

const $ = (id) => document.getElementById(id)
const endpoint = new URLSearchParams(location.search).get('endpoint') ?? 'http://127.0.0.1:1080/files'
const log = (line) => {
  $('log').textContent += `${line}\n`
}
let handle

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`

$('file').addEventListener('change', async (event) => {
  const file = event.target.files[0]
  if (!file) return
  handle = upload(file, {
    endpoint,
    chunkSize: 5 * 1024 * 1024,
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    onProgress: (p) => {
      $('bar').value = p.bytesTotal ? p.bytesAcknowledged / p.bytesTotal : 0
      const eta = Number.isFinite(p.etaSeconds) ? `, ${Math.ceil(p.etaSeconds)} s left` : ''
      $('status').textContent = `${mb(p.bytesAcknowledged)} of ${mb(p.bytesTotal ?? 0)} stored${eta}`
    },
  })
  for (const id of ['pause', 'cancel']) $(id).disabled = false
  log(`uploading ${file.name} (${mb(file.size)}) to ${endpoint}`)
  const result = await handle.start().done
  for (const id of ['pause', 'resume', 'cancel']) $(id).disabled = true
  if (result.ok) {
    $('status').innerHTML = `Done: <a id="result" href="${result.url}">${result.url}</a>`
    log(`finished: ${result.url}`)
  } else {
    $('status').textContent = `Failed (${result.error.code}): ${result.error.message}`
    log(`failed: ${result.error.code} ${result.error.status ?? ''} ${result.error.message}`)
  }
})

$('pause').onclick = () => {
  handle?.pause()
  $('pause').disabled = true
  $('resume').disabled = false
  log('paused (the server keeps what it received)')
}
$('resume').onclick = () => {
  handle?.resume()
  $('pause').disabled = false
  $('resume').disabled = true
  log('resumed from the server offset')
}
$('cancel').onclick = () => {
  handle?.abort({ terminate: true })
  log('cancelled and terminated on the server')
}
