#!/usr/bin/env node
// What dist/ was built from: a hash over the build's inputs (src/, schemas/, the build scripts and
// configs, package.json and its lock). `npm run build` writes it as its last step, so a build that was
// interrupted leaves no stamp; the tests' global setup compares it with the tree before any CLI test runs.
//
//   node scripts/build-stamp.mjs write    after a build
//   node scripts/build-stamp.mjs check    exit 0 when dist/ matches the tree, 1 when it is stale or half-built
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const stampPath = (root) => join(root, 'dist', '.build-stamp')
const INPUTS = ['src', 'schemas', 'scripts/build.mjs', 'scripts/bundle-loader.cjs', 'tsconfig.json', 'package.json', 'package-lock.json']

export function treeHash(root = ROOT) {
  const hash = createHash('sha256')
  const files = []
  for (const input of INPUTS) {
    const path = join(root, input)
    if (!existsSync(path)) continue
    if (!statSync(path).isDirectory()) files.push(path)
    else for (const e of readdirSync(path, {withFileTypes: true, recursive: true})) if (e.isFile()) files.push(join(e.parentPath ?? e.path, e.name))
  }
  for (const file of files.sort()) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

export function writeStamp(root = ROOT) {
  writeFileSync(stampPath(root), `${treeHash(root)}\n`)
}

export function isFresh(root = ROOT) {
  return existsSync(stampPath(root)) && readFileSync(stampPath(root), 'utf8').trim() === treeHash(root)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2]
  if (mode === 'write') writeStamp()
  else if (mode === 'check') process.exit(isFresh() ? 0 : 1)
  else {
    console.error('usage: node scripts/build-stamp.mjs write|check')
    process.exit(2)
  }
}
