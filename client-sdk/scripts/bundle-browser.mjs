// Builds dist/browser/tusk.js: the browser entry with tus-js-client inlined, one ES module a page
// can load with <script type="module"> (no bundler needed). Runs after `tsc -b` (see "build").
import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outfile = join(root, 'dist', 'browser', 'tusk.js')
await mkdir(dirname(outfile), { recursive: true })
await build({
  entryPoints: [join(root, 'src', 'index.browser.ts')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020'],
  sourcemap: true,
  minify: false,
  legalComments: 'eof',
  logLevel: 'warning',
})
console.log(`bundled ${outfile}`)
