#!/usr/bin/env node
// Development entry: runs tsc's output (dist/, e.g. from `tsc --watch`) without the bundle, with oclif's
// debug output. bin/run.js is the bundled, fast-starting entry that users and the tests run.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {execute} from '@oclif/core'

const root = fileURLToPath(new URL('..', import.meta.url))
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
pjson.oclif.commands = {strategy: 'explicit', target: './dist/command-index.js', identifier: 'COMMANDS'}

await execute({development: true, loadOptions: {root, pjson}})
