import { bigUpload } from '../workloads/big-upload.mjs'
import { crowdUploads } from '../workloads/crowd-uploads.mjs'
import { bigDownload, manyDownloads, simultaneousDownloads } from '../workloads/downloads.mjs'
import { slowUploads } from '../workloads/slow-uploads.mjs'
import { smallUploads } from '../workloads/small-uploads.mjs'
import { size } from './units.mjs'

/**
 * What bench/run.mjs measures. Each workload names its contenders (raw = node:http piping to a file,
 * multer = express + multer, plain = @tus/server + FileStore, tusk), how many repetitions it takes at
 * most, the data directory its servers use ("downloads": one set of finished uploads that every
 * contender serves, written once by Tusk in the @tus/file-store layout), how to run it against a
 * started server, and the figures it reports (better: which direction wins).
 *
 * A workload runner gets (server, contender, options, ctx) and returns its figures; `units` says what
 * the CPU profile is divided by.
 */
const MiB = 2 ** 20
const rate = (unit) => ({ key: 'rate', label: `${unit}/s`, better: 'higher', digits: 0 })
const p50 = { key: 'p50', label: 'latency p50, ms', better: 'lower', digits: 1 }
const p99 = { key: 'p99', label: 'latency p99, ms', better: 'lower', digits: 1 }
const cpuUs = (unit) => ({ key: 'cpuUs', label: `server CPU per ${unit}, µs`, better: 'lower', digits: 0 })
const mbps = { key: 'mbps', label: 'MB/s', better: 'higher', digits: 0 }
const cpuPerGiB = { key: 'cpuPerGiB', label: 'server CPU per GiB, s', better: 'lower', digits: 2 }
const peakRss = { key: 'peakRss', label: 'peak RSS, MiB', better: 'lower', digits: 0, scale: 2 ** -20 }

const small = (sizeKey, countKey) => (server, contender, o) =>
  smallUploads({
    url: server.url,
    pid: server.pid,
    size: o[sizeKey],
    count: o[countKey],
    warmup: o.smallWarmup,
    concurrency: o.concurrency,
    multipart: contender.name === 'multer',
  })

const smallRange = (o) => ({ start: 1024, end: Math.min(o.mediumSize, 33 * 1024) - 1 })
const bigRange = (o) => ({ start: o.bigSize / 4, end: (o.bigSize * 3) / 4 - 1 })
const rangeHeader = ({ start, end }) => `bytes=${start}-${end}`

export const PLAN = {
  'patch-1': {
    title: (o) => `${size(o.bigSize)} as one PATCH`,
    contenders: ['raw', 'plain', 'tusk'],
    run: (server, _c, o, ctx) =>
      bigUpload({ url: server.url, pid: server.pid, size: o.bigSize, chunkSize: 0 }).then(ctx.forget),
    metrics: [mbps, cpuPerGiB, peakRss],
    units: (o) => ({ name: 'MiB', count: o.bigSize / MiB }),
  },
  'patch-8m': {
    title: (o) => `${size(o.bigSize)} as ${size(o.chunkSize)} PATCHes`,
    contenders: ['raw', 'plain', 'tusk'],
    run: (server, _c, o, ctx) =>
      bigUpload({ url: server.url, pid: server.pid, size: o.bigSize, chunkSize: o.chunkSize }).then(
        ctx.forget,
      ),
    metrics: [
      mbps,
      cpuPerGiB,
      { key: 'msPerPatch', label: 'ms per PATCH', better: 'lower', digits: 2 },
      peakRss,
    ],
    units: (o) => ({ name: 'PATCH', count: o.bigSize / o.chunkSize }),
  },
  small: {
    title: (o) => `${size(o.smallSize)} creation-with-upload (multer: multipart POST), c=${o.concurrency}`,
    contenders: ['raw', 'multer', 'plain', 'tusk'],
    run: small('smallSize', 'smallCount'),
    metrics: [rate('uploads'), p50, p99, cpuUs('upload'), peakRss],
    units: (o) => ({ name: 'upload', count: o.smallCount + o.smallWarmup }),
  },
  'small-64k': {
    title: (o) => `${size(o.mediumSize)} creation-with-upload (multer: multipart POST), c=${o.concurrency}`,
    contenders: ['raw', 'multer', 'plain', 'tusk'],
    run: small('mediumSize', 'mediumCount'),
    metrics: [rate('uploads'), p50, p99, cpuUs('upload'), peakRss],
    units: (o) => ({ name: 'upload', count: o.mediumCount + o.smallWarmup }),
  },
  slow: {
    maxReps: 3,
    title: (o) =>
      `${o.slowCount} concurrent slow uploads (${o.slowChunks} × ${size(o.slowChunk)} every ${o.slowIntervalMs} ms)`,
    contenders: ['raw', 'plain', 'tusk'],
    run: async (server, _c, o) => {
      const r = await slowUploads({
        url: server.url,
        pid: server.pid,
        count: o.slowCount,
        chunk: o.slowChunk,
        chunks: o.slowChunks,
        intervalMs: o.slowIntervalMs,
      })
      return { ...r, perUpload: (r.peakRss - r.idleRss) / o.slowCount }
    },
    metrics: [
      { key: 'idleRss', label: 'RSS before, MiB', better: 'lower', digits: 0, scale: 2 ** -20 },
      { key: 'peakRss', label: 'peak RSS, MiB', better: 'lower', digits: 0, scale: 2 ** -20 },
      {
        key: 'perUpload',
        label: '(peak − idle) per upload, KiB',
        better: 'lower',
        digits: 1,
        scale: 2 ** -10,
      },
    ],
    units: (o) => ({ name: 'upload', count: o.slowCount }),
  },
  // Nominal 20 s: crowd-3k gives up after 65 s (the issue saw 43 s for plain @tus/server), crowd-5k,
  // past capacity anyway, after 45 s.
  'crowd-3k': crowd('crowdCount', 2, 3),
  // Past what the cores carry, a profile says little more than crowd-3k's: not profiled.
  'crowd-5k': { ...crowd('crowdPeakCount', 1, 2), profile: false },
  'get-small': {
    title: (o) => `GET of finished ${size(o.mediumSize)} uploads, c=${o.downloadConcurrency}`,
    contenders: ['raw', 'plain', 'tusk'],
    dataDir: 'downloads',
    run: (server, _c, o, ctx) =>
      manyDownloads({
        urls: ctx.downloads.small.map((id) => `${server.url}/${id}`),
        pid: server.pid,
        count: o.downloadCount,
        warmup: o.downloadConcurrency,
        concurrency: o.downloadConcurrency,
        bytes: o.mediumSize,
      }),
    metrics: [rate('GETs'), p50, p99, cpuUs('GET'), peakRss],
    units: (o) => ({ name: 'GET', count: o.downloadCount + o.downloadConcurrency }),
  },
  'range-small': {
    title: (o) => {
      const r = smallRange(o)
      return `GET with Range ${rangeHeader(r)} of ${size(o.mediumSize)} uploads, c=${o.downloadConcurrency}`
    },
    contenders: ['raw', 'tusk'],
    dataDir: 'downloads',
    run: (server, _c, o, ctx) => {
      const r = smallRange(o)
      return manyDownloads({
        urls: ctx.downloads.small.map((id) => `${server.url}/${id}`),
        pid: server.pid,
        count: o.downloadCount,
        warmup: o.downloadConcurrency,
        concurrency: o.downloadConcurrency,
        range: rangeHeader(r),
        bytes: r.end - r.start + 1,
      })
    },
    metrics: [rate('GETs'), p50, p99, cpuUs('GET')],
    units: (o) => ({ name: 'GET', count: o.downloadCount + o.downloadConcurrency }),
  },
  ttfb: {
    title: (o) =>
      `${o.ttfbConcurrency} simultaneous GETs of ${size(o.mediumSize)} uploads (keep-alive, ${o.ttfbRounds} round(s))`,
    contenders: ['raw', 'plain', 'tusk'],
    dataDir: 'downloads',
    run: (server, _c, o, ctx) =>
      simultaneousDownloads({
        urls: ctx.downloads.small.map((id) => `${server.url}/${id}`),
        concurrency: o.ttfbConcurrency,
        rounds: o.ttfbRounds,
        bytes: o.mediumSize,
      }),
    metrics: [
      { key: 'ttfbP50', label: 'time to first byte p50, ms', better: 'lower', digits: 1 },
      { key: 'ttfbP99', label: 'time to first byte p99, ms', better: 'lower', digits: 1 },
      { key: 'p99', label: 'whole response p99, ms', better: 'lower', digits: 1 },
      peakRss,
    ],
    units: (o) => ({ name: 'GET', count: o.ttfbConcurrency * (o.ttfbRounds + 1) }),
  },
  'get-big': {
    title: (o) => `one ${size(o.bigSize)} download`,
    contenders: ['raw', 'plain', 'tusk'],
    dataDir: 'downloads',
    run: (server, _c, o, ctx) =>
      bigDownload({ url: `${server.url}/${ctx.downloads.big}`, pid: server.pid, bytes: o.bigSize }),
    metrics: [mbps, cpuPerGiB],
    units: (o) => ({ name: 'MiB', count: o.bigSize / MiB }),
  },
  'range-big': {
    title: (o) => `Range ${rangeHeader(bigRange(o))} of the ${size(o.bigSize)} upload`,
    contenders: ['raw', 'tusk'],
    dataDir: 'downloads',
    run: (server, _c, o, ctx) => {
      const r = bigRange(o)
      return bigDownload({
        url: `${server.url}/${ctx.downloads.big}`,
        pid: server.pid,
        range: rangeHeader(r),
        bytes: r.end - r.start + 1,
      })
    },
    metrics: [mbps, cpuPerGiB],
    units: (o) => ({ name: 'MiB', count: o.bigSize / 2 / MiB }),
  },
}

function crowd(countKey, maxReps, giveUpFactor) {
  return {
    title: (o) =>
      `${o[countKey]} slow uploads at once (creation, then a PATCH of ${o.crowdChunks} × ${size(o.crowdChunk)} every ${o.crowdIntervalMs} ms)`,
    contenders: ['raw', 'plain', 'tusk'],
    maxReps,
    run: (server, _c, o) =>
      crowdUploads({
        url: server.url,
        pid: server.pid,
        count: o[countKey],
        chunk: o.crowdChunk,
        chunks: o.crowdChunks,
        intervalMs: o.crowdIntervalMs,
        // An upload still running this long after it started counts as unfinished.
        giveUpAfterMs: o.crowdChunks * o.crowdIntervalMs * giveUpFactor + 5_000,
      }),
    metrics: [
      { key: 'seconds', label: 'time until the last ended, s', better: 'lower', digits: 1 },
      { key: 'completed', label: 'uploads completed', better: 'higher', digits: 0 },
      { key: 'badRefusals', label: 'refusals other than 503+Retry-After/408', better: 'lower', digits: 0 },
      { key: 'cpuPerUpload', label: 'server CPU per completed upload, ms', better: 'lower', digits: 2 },
      peakRss,
    ],
    units: (o) => ({ name: 'upload', count: o[countKey] }),
  }
}
