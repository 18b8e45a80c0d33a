#!/usr/bin/env node
import {execute} from '../dist/cli/run.js'

await execute({dir: import.meta.url})
// A keychain call that timed out cannot be cancelled inside the native library, and would keep the
// process alive after the command has finished. This timer never delays a normal exit (it is unref'd).
setTimeout(() => process.exit(), 500).unref()
