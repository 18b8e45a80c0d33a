import {confirm, input as text, number, password, search, select} from '@inquirer/prompts'
import {describeAssociate, type Associate} from '../accounts/associates.js'
import type {PromptHelpers} from '../app/world.js'
import {suggestionsFromPreset, type Suggestions} from '../providers/fill.js'
import {PRESETS, presetByServer} from '../providers/presets.js'
import {inputValue, setInputValue, type AccountInput} from '../accounts/input.js'
import {checkValue, missingFieldsForCreate, type FieldIssue} from '../accounts/validate.js'
import {SETTINGS, sideField, trimValue, type AccountField} from '../model/account-fields.js'

// Prompts write to stderr so that stdout carries only the result, even on a terminal.
const context = {output: process.stderr}

const labelOf = (field: AccountField) => field.prompt?.label ?? field.name

/** The field's first problem, named by its prompt label, or true when the value passes. */
function firstProblem(field: AccountField, value: string): string | true {
  if (value === '') return `${labelOf(field)} is required`
  const issues: FieldIssue[] = []
  checkValue(field, value, issues)
  return issues[0]?.say(labelOf) ?? true
}

/**
 * What the prompt offers: what --provider or detection found for the address, else the create default
 * or a guess from what is already known. A detected port or user name goes with its server only.
 */
function suggestion(field: AccountField, input: AccountInput, servers?: Suggestions): string | number | undefined {
  const detected = field.side && servers?.[field.side]
  if (detected) {
    if (field.input === 'server') return detected.host
    const onIt = input[field.side!].server?.toLowerCase() === detected.host
    if (onIt && field.input === 'port') return detected.port
    if (onIt && field.input === 'username' && detected.username !== undefined) return detected.username
  }
  const domain = input.email?.split('@')[1]
  if (field.side && field.input === 'server') {
    if (field.side === 'imap') return domain ? `imap.${domain}` : undefined
    // A known provider's IMAP host names its SMTP host (Microsoft 365: outlook.office365.com -> smtp.office365.com).
    const known = input.imap.server ? presetByServer(input.imap.server)?.outgoing : undefined
    return known?.host ?? input.imap.server?.replace(/^imap\./, 'smtp.')
  }
  if (field.side === 'smtp' && field.input === 'port' && input.smtp.server) {
    const known = presetByServer(input.smtp.server)?.outgoing
    if (known && known.host === input.smtp.server.trim().toLowerCase()) return known.port
  }
  if (field.side === 'smtp' && field.input === 'username') return input.imap.username ?? input.email
  const fallback = field.createDefault
  if (fallback === undefined || typeof fallback === 'number') return fallback
  const from = SETTINGS.find((f) => f.name === fallback.from)
  return from && inputValue(input, from)
}

/** Asks only for what the flags did not give, in catalogue order, with defaults a mail admin expects. */
export async function promptForMissing(given: AccountInput, helpers: PromptHelpers = {}): Promise<AccountInput> {
  const input: AccountInput = {...given, imap: {...given.imap}, smtp: {...given.smtp}}
  let servers: Suggestions | undefined
  let asked = false
  for (const field of SETTINGS) {
    if (!field.prompt || inputValue(input, field) !== undefined) continue
    if (field.secret && !missingFieldsForCreate(input).includes(field)) continue
    // Detection runs once the address is known, just before the first server question.
    if (field.side && !asked && input.email && helpers.suggestServers) {
      asked = true
      servers = await helpers.suggestServers(input.email).catch(() => undefined)
      const found = [servers?.imap && `IMAP ${servers.imap.shown}`, servers?.smtp && `SMTP ${servers.smtp.shown}`].filter(Boolean)
      if (found.length > 0) process.stderr.write(`Found for ${input.email}: ${found.join(', ')}\n`)
      // Both servers still to ask: a provider can be picked instead (detected first, Enter takes it).
      if (input.imap.server === undefined && input.smtp.server === undefined) servers = await askProvider(input.email, servers)
    }
    const search = helpers.searchAssociates
    setInputValue(input, field, field.type === 'associate' && search ? await askAssociate(field, search) : await ask(field, input, servers))
  }
  return input
}

async function ask(field: AccountField, input: AccountInput, servers?: Suggestions): Promise<string | number> {
  const message = labelOf(field)
  const range = field.range
  if (range) return (await number({message, default: suggestion(field, input, servers) as number | undefined, min: range.min, max: range.max, step: 1, required: true}, context)) as number
  if (field.secret) {
    // One mailbox password often serves both sides: offer the IMAP one for SMTP.
    const imap = field.side === 'smtp' ? sideField('imap', field.input as string) : undefined
    const given = imap && inputValue(input, imap)
    if (imap && given !== undefined && (await confirm({message: `Use the ${labelOf(imap)} for SMTP too?`, default: true}, context))) return given
    return password({message, mask: '*', validate: (v) => firstProblem(field, v)}, context)
  }
  const answer = await text({message, default: suggestion(field, input, servers) as string | undefined, validate: (v) => firstProblem(field, trimValue(field, v))}, context)
  return trimValue(field, answer)
}

const OTHER = ''

/**
 * The mail provider, as a choice: what detection found (the default), each built-in preset with its
 * servers, or "Other" to type them. The answer becomes the server prompts' defaults.
 */
async function askProvider(email: string, detected: Suggestions | undefined): Promise<Suggestions | undefined> {
  const usable = PRESETS.filter((p) => p.incoming && p.outgoing)
  const choices = [
    ...(detected?.imap && detected.smtp ? [{value: 'detected', name: `Detected: ${detected.imap.host}, ${detected.smtp.host}${detected.provider ? ` (${detected.provider})` : ''}`}] : []),
    {value: OTHER, name: 'Other: type the servers'},
    ...usable.map((p) => ({value: p.name, name: `${p.label}: ${p.incoming!.host}, ${p.outgoing!.host}`, description: p.note})),
  ]
  const answer = await select<string>({message: 'Mail provider', choices, default: choices[0]!.value, pageSize: 12}, context)
  if (answer === 'detected') return detected
  const preset = usable.find((p) => p.name === answer)
  return preset ? suggestionsFromPreset(preset, email) : detected
}

/** The owner, searched on the server as one types (user name, e-mail, name or id); Enter takes the highlighted user. */
async function askAssociate(field: AccountField, find: (text: string) => Promise<Associate[]>): Promise<number> {
  return search<number>(
    {
      message: labelOf(field),
      source: async (term) => {
        if (!term || term.trim() === '') return []
        const found = await find(term)
        return found.map((a) => ({value: a.id, name: describeAssociate(a), description: a.email || undefined}))
      },
    },
    context,
  )
}

export async function confirmSend(summary: string, question: string, defaultAnswer = true): Promise<boolean> {
  process.stderr.write(`\n${summary}\n\n`)
  return confirm({message: question, default: defaultAnswer}, context)
}
