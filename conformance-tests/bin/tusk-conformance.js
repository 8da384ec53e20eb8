#!/usr/bin/env node
// The bin npm links at install time, before the root "prepare" script has compiled dist/: a link to
// dist/cli.js itself would be skipped on a fresh clone because the file does not exist yet.
import '../dist/cli.js'
