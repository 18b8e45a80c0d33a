import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {isFresh, writeStamp} from '../../scripts/build-stamp.mjs'

describe('build stamp (what the tests check dist/ against)', () => {
  const roots: string[] = []
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, {recursive: true, force: true})
  })
  const tree = () => {
    const root = mkdtempSync(join(tmpdir(), 'soemail-stamp-'))
    roots.push(root)
    mkdirSync(join(root, 'src', 'soap'), {recursive: true})
    mkdirSync(join(root, 'dist'))
    writeFileSync(join(root, 'src', 'soap', 'client.ts'), 'export const a = 1\n')
    writeFileSync(join(root, 'package.json'), '{}\n')
    return root
  }

  it('a dist/ without a stamp (an interrupted build) is not fresh', () => {
    expect(isFresh(tree())).toBe(false)
  })

  it('is fresh after a build, stale after any source, schema or package change', () => {
    const root = tree()
    writeStamp(root)
    expect(isFresh(root)).toBe(true)
    writeFileSync(join(root, 'src', 'soap', 'client.ts'), 'export const a = 2\n')
    expect(isFresh(root)).toBe(false)
    writeStamp(root)
    mkdirSync(join(root, 'schemas'))
    writeFileSync(join(root, 'schemas', 'x.xsd'), '<x/>')
    expect(isFresh(root)).toBe(false)
    writeStamp(root)
    writeFileSync(join(root, 'package.json'), '{"a":1}\n')
    expect(isFresh(root)).toBe(false)
  })

  it('a renamed file makes it stale even with the same content', () => {
    const root = tree()
    writeStamp(root)
    rmSync(join(root, 'src', 'soap', 'client.ts'))
    writeFileSync(join(root, 'src', 'soap', 'other.ts'), 'export const a = 1\n')
    expect(isFresh(root)).toBe(false)
  })
})
