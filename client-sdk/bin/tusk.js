#!/usr/bin/env node
// The `tusk` command. A committed, executable launcher for the compiled CLI, so `npx tusk` works
// even though dist/ is built (by the root "prepare") after npm has linked the bin.
import '../dist/cli/main.js'
