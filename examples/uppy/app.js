// Uppy's published browser bundle, no build step: the Dashboard for picking and watching files and
// @uppy/tus for resumable uploads to Tusk (on another origin: the page's server only serves files).
import { Dashboard, Tus, Uppy } from '/uppy/uppy.min.mjs'

const endpoint = new URLSearchParams(location.search).get('endpoint') ?? 'http://127.0.0.1:1080/files'

const uppy = new Uppy({ autoProceed: false })
  .use(Dashboard, {
    inline: true,
    target: '#uppy',
    height: 380,
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    note: `Uploads go to ${endpoint}`,
  })
  .use(Tus, {
    endpoint,
    // Retried long enough to ride out a server restart; each retry asks Tusk for its offset (HEAD)
    // and sends only the rest.
    retryDelays: [0, 500, 1000, 2000, 3000, 5000, 10000],
    removeFingerprintOnSuccess: true,
  })

uppy.on('upload-success', (file, response) => {
  const item = document.createElement('li')
  const link = Object.assign(document.createElement('a'), {
    href: response.uploadURL,
    textContent: file.name,
  })
  item.append(link, ` (${file.size} bytes)`)
  document.getElementById('done').append(item)
})

// For the example's test, and for poking at from the console.
window.uppy = uppy
