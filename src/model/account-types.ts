import type {ENTRIES, Side, WireScalar} from './account-fields.js'

/**
 * The account's TypeScript shapes, derived from the field catalogue rather than written beside it: the
 * wire carriers (EMailAccount, ServiceAuth, by each entry's `wire.key`), what a user asks to set
 * (AccountInput, ServerInput, by `input`) and the --json view (by `view.json`). A field added to the
 * catalogue appears in all of them; one removed is a type error wherever it was used.
 */

type Entry = (typeof ENTRIES)[number]
type TopEntry = Exclude<Entry, {side: Side}>
/** Both sides have the same members (the entries are written once for both: serverFields). */
type SideEntry = Extract<Entry, {side: Side}>

type ScalarValue<T extends WireScalar> = T extends 'int' | 'short' ? number : string

type WireShape<E extends {wire: {key: string; type: WireScalar}}> = {-readonly [K in E as K['wire']['key']]?: ScalarValue<K['wire']['type']>}

/** A ServiceAuth: one side's server, port, auth type, user name and password (and its id). */
export type ServiceAuthShape = WireShape<SideEntry>

/** An EMailAccount as the wire carries it; `incoming`/`outgoing` hold the ServiceAuth of each side. */
export type EMailAccountShape = WireShape<TopEntry> & {incoming?: ServiceAuthShape; outgoing?: ServiceAuthShape}

/** What a value given for a setting is once parsed: an associate may still be a name, numbers are numbers. */
type InputValueOf<E> = E extends {type: 'associate'} ? number | string : E extends {type: 'port' | 'switch'} ? number : string

type InputShape<E> = {-readonly [K in E as K extends {input: infer I extends string} ? I : never]?: InputValueOf<K>}

/** One side's settings as a user gives them; every member optional, unset means "keep". */
export type ServerInputShape = InputShape<SideEntry>

/** An account's settings as a user gives them (flags, prompts, a CSV row). */
export type AccountInputShape = InputShape<TopEntry> & {imap: ServerInputShape; smtp: ServerInputShape}

/** The --json view's value of a field: a never-set date is null. */
type ViewValueOf<E> = E extends {type: 'datetime'} ? string | null : E extends {wire: {type: infer T extends WireScalar}} ? ScalarValue<T> : never

type ViewShape<E> = {-readonly [K in E as K extends {view: {json: infer J extends string}} ? J : never]?: ViewValueOf<K>}

/** One side in `account get --json`: its password shown masked (or, asked for, in clear). */
export type ServerViewShape = ViewShape<SideEntry>

/** The fields of `account get --json`, without the sides and the owner the view adds. */
export type AccountViewFields = ViewShape<TopEntry>
