/** The layer rules in eslint.config.js refuse what they say, and leave the allowed directions alone. */
import {ESLint} from 'eslint'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/cli.js'

const eslint = new ESLint({cwd: ROOT})

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {filePath: `${ROOT}/${file}`})
  return result!.messages.filter((m) => m.message.includes('Layer rule')).map((m) => m.message)
}

describe('layer rules', () => {
  it.each([
    ['src/soap/client.ts', "import {UsageError} from '../errors.js'\nexport const x = UsageError\n"],
    ['src/soap/client.ts', "import {Command} from '@oclif/core'\nexport const x = Command\n"],
    ['src/soap/client.ts', "export const x = () => import('../connection/wire-facts.js')\n"],
    ['src/connection/call-policy.ts', "import {toCliError} from '../hints/error-map.js'\nexport const x = toCliError\n"],
    ['src/bulk/export.ts', "import {toCliError} from '../hints/error-map.js'\nexport const x = toCliError\n"],
    ['src/model/account-fields.ts', "import {x as y} from '../soap/client.js'\nexport const x = y\n"],
    ['src/accounts/service.ts', "export const x = () => import('../sandbox/server.js')\n"],
    ['src/bulk/runner.ts', "import {Flags} from '@oclif/core'\nexport const x = Flags\n"],
    ['src/providers/detect.ts', "import {log as y} from '../app/world.js'\nexport const x = y\n"],
    ['src/app/account-get.ts', "import {BaseCommand} from '../base-command.js'\nexport const x = BaseCommand\n"],
    ['src/app/account-get.ts', "export const x = () => import('../sandbox/server.js')\n"],
    ['src/commands/account/get.ts', "export const x = () => import('../../soap/client.js')\n"],
    ['src/commands/account/get.ts', "import {x as y} from '../../sandbox/server.js'\nexport const x = y\n"],
  ])('%s may not import: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toHaveLength(1)
  })

  it.each([
    ['src/soap/client.ts', "import {x as y} from './errors.js'\nexport const x = y\n"],
    ['src/accounts/service.ts', "import {x as y} from '../soap/client.js'\nexport const x = y\n"],
    ['src/providers/autoconfig.ts', "import {parseXml as y} from '../soap/xml-tree.js'\nexport const x = y\n"],
    ['src/app/account-get.ts', "import type {ConnectionFlagValues} from '../flags.js'\nexport type X = ConnectionFlagValues\n"],
    ['src/app/connector.ts', "export const x = () => import('../hints/error-map.js')\n"],
    ['src/app/sandbox.ts', "export const x = () => import('../sandbox/server.js')\n"],
    ['src/commands/sandbox.ts', "import {x as y} from '../app/sandbox.js'\nexport const x = y\n"],
  ])('%s may import: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([])
  })
})
