import {emitKeypressEvents} from 'node:readline'
import {password} from '@inquirer/prompts'
import {InterruptedError} from '../errors.js'

/**
 * A secret asked for on the terminal, masked: typed characters show as `*`, never as themselves. Ctrl-C
 * rejects as every prompt does (BaseCommand: exit 130, nothing sent). Ctrl-D, the terminal's end of
 * input, which the prompt would otherwise ignore, ends it the same way, saying so.
 */
export async function promptSecret(message: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  const controller = new AbortController()
  let ended = false
  const onKey = (_: string, key?: {ctrl?: boolean; name?: string}) => {
    if (key?.ctrl && key.name === 'd') {
      ended = true
      controller.abort()
    }
  }
  emitKeypressEvents(input)
  input.on('keypress', onKey)
  try {
    return await password({message, mask: '*', validate: (v) => (v === '' ? `${message} cannot be empty` : true)}, {input, output: process.stderr, signal: controller.signal})
  } catch (error) {
    if (ended) throw new InterruptedError(`no ${message} given (Ctrl-D ended the input); nothing was sent`)
    throw error
  } finally {
    input.off('keypress', onKey)
  }
}
