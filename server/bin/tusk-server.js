#!/usr/bin/env -S node --initial-heap-size=64
// The `tusk-server` command: a committed launcher for the compiled server, so the bin exists even
// before the root "prepare" has built dist/. The heap flag is the one `npm start` uses: without it
// V8 runs dozens of full GCs per GiB on big PATCHes (docs/benchmarks.md).
import '../dist/main.js'
