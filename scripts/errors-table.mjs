#!/usr/bin/env node
// Writes the README's "Errors" table from the one error table (server/src/errors.ts, compiled), so
// the documented codes and statuses cannot drift from the ones the server sends.
//   node scripts/errors-table.mjs          rewrite README.md between the errors-table markers
//   node scripts/errors-table.mjs --check  exit 1 if README.md is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { errorTable } from '../server/dist/index.js'

export function errorsTable() {
  const rows = errorTable.map(
    ({ code, status, message }) => `| \`${code}\` | ${status} | ${message.replace(/\|/g, '\\|')} |`,
  )
  return ['| code | status | reason |', '| --- | --- | --- |', ...rows].join('\n')
}

const readme = readFileSync('README.md', 'utf8')
const updated = readme.replace(
  /<!-- errors-table:start -->[\s\S]*<!-- errors-table:end -->/,
  `<!-- errors-table:start -->\n${errorsTable()}\n<!-- errors-table:end -->`,
)
if (process.argv.includes('--check')) {
  if (updated !== readme || !readme.includes('<!-- errors-table:start -->')) {
    console.error('README.md errors table is out of date: run node scripts/errors-table.mjs')
    process.exit(1)
  }
} else {
  writeFileSync('README.md', updated)
}
