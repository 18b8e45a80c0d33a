import {confirm, input as text, number, password, search} from '@inquirer/prompts'
import {describeAssociate, type Associate} from '../accounts/associates.js'
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

/** What the prompt offers: the create default, or a guess from what is already known. */
function suggestion(field: AccountField, input: AccountInput): string | number | undefined {
  const domain = input.email?.split('@')[1]
  if (field.side && field.input === 'server') {
    return field.side === 'imap' ? (domain ? `imap.${domain}` : undefined) : input.imap.server?.replace(/^imap\./, 'smtp.')
  }
  if (field.side === 'smtp' && field.input === 'username') return input.imap.username ?? input.email
  const fallback = field.createDefault
  if (fallback === undefined || typeof fallback === 'number') return fallback
  const from = SETTINGS.find((f) => f.name === fallback.from)
  return from && inputValue(input, from)
}

/** Asks only for what the flags did not give, in catalogue order, with defaults a mail admin expects. */
export async function promptForMissing(given: AccountInput, helpers: {searchAssociates?: (text: string) => Promise<Associate[]>} = {}): Promise<AccountInput> {
  const input: AccountInput = {...given, imap: {...given.imap}, smtp: {...given.smtp}}
  for (const field of SETTINGS) {
    if (!field.prompt || inputValue(input, field) !== undefined) continue
    if (field.secret && !missingFieldsForCreate(input).includes(field)) continue
    const search = helpers.searchAssociates
    setInputValue(input, field, field.type === 'associate' && search ? await askAssociate(field, search) : await ask(field, input))
  }
  return input
}

async function ask(field: AccountField, input: AccountInput): Promise<string | number> {
  const message = labelOf(field)
  const range = field.range
  if (range) return (await number({message, default: suggestion(field, input) as number | undefined, min: range.min, max: range.max, step: 1, required: true}, context)) as number
  if (field.secret) {
    // One mailbox password often serves both sides: offer the IMAP one for SMTP.
    const imap = field.side === 'smtp' ? sideField('imap', field.input as string) : undefined
    const given = imap && inputValue(input, imap)
    if (imap && given !== undefined && (await confirm({message: `Use the ${labelOf(imap)} for SMTP too?`, default: true}, context))) return given
    return password({message, mask: '*', validate: (v) => firstProblem(field, v)}, context)
  }
  const answer = await text({message, default: suggestion(field, input) as string | undefined, validate: (v) => firstProblem(field, trimValue(field, v))}, context)
  return trimValue(field, answer)
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
