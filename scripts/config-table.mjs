#!/usr/bin/env node
// Writes the README's configuration table from the one config schema (server/src/config/schema.ts,
// compiled), so the documented defaults cannot drift from the real ones.
//   node scripts/config-table.mjs          rewrite README.md between the config-table markers
//   node scripts/config-table.mjs --check  exit 1 if README.md is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { configKeys, configSchema, parseConfig } from '../server/dist/index.js'

const kebab = (key) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const envName = (key) => `TUSK_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
const defaults = parseConfig({})
const show = (value) =>
  value === undefined ? '—' : Array.isArray(value) ? `\`${value.join(',') || '(none)'}\`` : `\`${value}\``

export function configTable() {
  const rows = configKeys.map((key) => {
    const description = configSchema.shape[key].description ?? ''
    return `| \`--${kebab(key)}\` | \`${envName(key)}\` | ${show(defaults[key])} | ${description.replace(/\|/g, '\\|')} |`
  })
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

const readme = readFileSync('README.md', 'utf8')
const updated = readme.replace(
  /<!-- config-table:start -->[\s\S]*<!-- config-table:end -->/,
  `<!-- config-table:start -->\n${configTable()}\n<!-- config-table:end -->`,
)
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md configuration table is out of date: run node scripts/config-table.mjs')
    process.exit(1)
  }
} else {
  writeFileSync('README.md', updated)
}
