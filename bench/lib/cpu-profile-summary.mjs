import { readFileSync } from 'node:fs'

/** A package's file as package/path, Tusk's own as server/dist/path. */
function shortUrl(url) {
  if (url.includes('node_modules/')) return url.replace(/^.*node_modules\//, '')
  return url.replace(/^.*\/server\/dist\//, 'server/dist/')
}

/** Where a profile node's code lives: a package, Tusk's own code, node internals or V8. */
export function areaOf(callFrame) {
  const url = callFrame.url
  if (!url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : '(native)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1]
  const own = /\/(server\/dist\/[^/]+)\//.exec(url)
  if (own) return own[1]
  if (url.startsWith('node:')) return 'node:internal'
  return url.slice(url.lastIndexOf('/') + 1)
}

/**
 * Summarises a .cpuprofile (Chrome format, as written by node --cpu-prof): self time per area and
 * per function, and inclusive ("total") time per function, in ms, excluding (idle).
 */
export function summarise(file, { top = 25, skipModuleLoading = false } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map()
  const dt = profile.timeDeltas
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    self.set(id, (self.get(id) ?? 0) + (dt[i + 1] ?? 0) / 1000)
  }
  const label = (n) => {
    const f = n.callFrame
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : ''
    return `${f.functionName || '(anonymous)'} ${where}`.trim()
  }
  // Loading modules is start-up (or a lazy import's first use), not the workload: with
  // `skipModuleLoading`, samples with a module loader on their stack are left out.
  const loading = (id) => {
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame
      if (f.url.startsWith('node:internal/modules/') || f.functionName === 'compileForInternalLoader')
        return true
    }
    return false
  }
  const areaSelf = new Map()
  const fnSelf = new Map()
  const fnTotal = new Map()
  let busy = 0
  for (const [id, ms] of self) {
    const n = byId.get(id)
    if (n.callFrame.functionName === '(idle)') continue
    if (skipModuleLoading && loading(id)) continue
    busy += ms
    const area = areaOf(n.callFrame)
    areaSelf.set(area, (areaSelf.get(area) ?? 0) + ms)
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + ms)
    // Inclusive time: credit each distinct function on the stack once.
    const seen = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur))
      if (seen.has(l)) continue
      seen.add(l)
      fnTotal.set(l, (fnTotal.get(l) ?? 0) + ms)
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
  return { busy, areaSelf: sorted(areaSelf), fnSelf: sorted(fnSelf), fnTotal: sorted(fnTotal) }
}

export function printSummary(title, s, perUnit) {
  const unit = perUnit
    ? (ms) =>
        `${ms.toFixed(0).padStart(6)} ms  ${((ms / perUnit.count) * 1000).toFixed(1).padStart(6)} µs/${perUnit.name}`
    : (ms) => `${ms.toFixed(0)} ms`
  console.log(`\n## ${title}: busy ${unit(s.busy)}`)
  console.log('\nself time by area:')
  for (const [k, v] of s.areaSelf)
    console.log(`  ${unit(v)}  ${((100 * v) / s.busy).toFixed(1).padStart(5)}%  ${k}`)
  console.log('\nself time by function:')
  for (const [k, v] of s.fnSelf) console.log(`  ${unit(v)}  ${k}`)
  console.log('\ninclusive time by function:')
  for (const [k, v] of s.fnTotal) console.log(`  ${unit(v)}  ${k}`)
}
