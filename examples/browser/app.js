// The page's logic: every dropped or chosen file becomes an upload through the Tusk SDK's browser
// bundle, with its own progress, pause/resume and cancel; finished uploads are listed with a link
// that downloads them from Tusk. Sizes use one unit system throughout (binary: KiB, MiB, GiB).
import { upload } from '/tusk.js'

const $ = (selector, root = document) => root.querySelector(selector)
const endpoint = new URLSearchParams(location.search).get('endpoint') ?? 'http://127.0.0.1:1080/files'
$('#endpoint').textContent = endpoint

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
function formatBytes(bytes) {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

const formatEta = (seconds) =>
  seconds < 60
    ? `${Math.ceil(seconds)} s left`
    : `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s left`

/** Shows the "nothing here" lines only when their list is empty. */
function refreshEmptyStates() {
  $('#idle').hidden = $('#uploads').children.length > 0
  $('#none-finished').hidden = $('#finished').children.length > 0
}

function addFinished(file, result) {
  const item = document.createElement('li')
  const link = Object.assign(document.createElement('a'), { href: result.url, textContent: file.name })
  link.download = file.name
  link.className = 'download'
  const size = Object.assign(document.createElement('span'), {
    className: 'size',
    textContent: formatBytes(result.size),
  })
  if (result.resumedFrom > 0) {
    const resumed = Object.assign(document.createElement('span'), {
      className: 'resumed',
      textContent: ` resumed at ${formatBytes(result.resumedFrom)}`,
    })
    size.append(resumed)
  }
  item.append(link, size)
  $('#finished').prepend(item)
}

async function uploadFile(file) {
  const row = $('#upload-row').content.firstElementChild.cloneNode(true)
  $('.name', row).textContent = file.name
  $('.name', row).title = file.name
  $('#uploads').append(row)
  refreshEmptyStates()

  const status = $('.status', row)
  const handle = upload(file, {
    endpoint,
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    onProgress: (p) => {
      // Bytes sent, not only those Tusk confirmed: a whole file goes in one request, which Tusk
      // confirms at its end (and keeps, if cut short, up to the last byte it received).
      const total = p.bytesTotal ?? file.size
      const done = Math.max(p.bytesSent, p.bytesAcknowledged)
      $('progress', row).value = total ? done / total : 0
      const rate = p.rate > 0 ? ` · ${formatBytes(p.rate)}/s` : ''
      const eta =
        Number.isFinite(p.etaSeconds) && p.etaSeconds !== null ? ` · ${formatEta(p.etaSeconds)}` : ''
      if (handle.state === 'running') {
        status.textContent = `${formatBytes(done)} of ${formatBytes(total)}${rate}${eta}`
      }
    },
  })
  $('.pause', row).onclick = async () => {
    $('.pause', row).hidden = true
    $('.resume', row).hidden = false
    await handle.pause()
    status.textContent = 'Paused: Tusk keeps what it received.'
  }
  $('.resume', row).onclick = () => {
    $('.resume', row).hidden = true
    $('.pause', row).hidden = false
    status.textContent = 'Resuming from the server’s offset…'
    handle.resume()
  }
  $('.cancel', row).onclick = () => handle.abort({ terminate: true })

  const result = await handle.start().done
  if (result.ok) {
    row.remove()
    addFinished(file, result)
  } else if (handle.state === 'aborted') {
    row.remove()
  } else {
    row.classList.add('failed')
    $('.actions', row).replaceChildren()
    status.textContent = `Failed: ${result.error.message}`
  }
  refreshEmptyStates()
}

const startAll = (files) => {
  for (const file of files) uploadFile(file)
}

$('#file').addEventListener('change', (event) => {
  startAll(event.target.files)
  event.target.value = ''
})

const drop = $('#drop')
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (event) => {
    event.preventDefault()
    drop.classList.add('over')
  })
}
drop.addEventListener('dragleave', () => drop.classList.remove('over'))
drop.addEventListener('drop', (event) => {
  event.preventDefault()
  drop.classList.remove('over')
  startAll(event.dataTransfer.files)
})

refreshEmptyStates()
