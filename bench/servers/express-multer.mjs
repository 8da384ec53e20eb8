// What many apps use for uploads: express + multer, one multipart/form-data POST per file, stored on
// disk by multer's diskStorage (random file names). No resumability.
//   node bench/servers/express-multer.mjs --port P --dir D
//   POST /files (multipart, field "file") -> 201, Location, Upload-Offset = the file's size
import { parseArgs } from 'node:util'
import express from 'express'
import multer from 'multer'

const { values } = parseArgs({ options: { port: { type: 'string' }, dir: { type: 'string' } } })
const upload = multer({ storage: multer.diskStorage({ destination: values.dir }) })
const app = express()
app.options('/files', (_req, res) => res.sendStatus(204))
app.post('/files', upload.single('file'), (req, res) => {
  res
    .status(201)
    .set({ location: `/files/${req.file.filename}`, 'upload-offset': String(req.file.size) })
    .end()
})
app.listen(Number(values.port), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
