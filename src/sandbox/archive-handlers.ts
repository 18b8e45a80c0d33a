import type {XmlFields} from '../soap/envelope.js'
import type {XElement} from '../soap/xml-tree.js'
import {SoException} from './exceptions.js'
import {childInt, childText, type HandlerContext, type OperationHandler} from './handler-kit.js'
import {parseRestrictions, RestrictionSyntaxError, type Restriction} from './restrictions.js'
import type {AssociateType, DirectoryUser} from './user-directory.js'

/** NetServer's archives answer at most this many rows a page; clients are told to stay at or below it. */
const MAX_PAGE_SIZE = 1000
const DEFAULT_PAGE_SIZE = 50

/** assocType's display text, as the AllUsers archive shows it. */
const TYPE_TEXT: Record<AssociateType, string> = {associate: 'Associate', external: 'External user', system: 'System user', anonymous: 'Anonymous', resource: 'Resource'}

/**
 * The AllUsers columns the sandbox has, and each one's value for a user. Numbers and booleans come
 * encoded the way NetServer's CultureDataFormatter encodes them ("[I:12]"); text comes as it is.
 */
const COLUMNS: Readonly<Record<string, (u: DirectoryUser) => string | number | boolean>> = {
  associateDbId: (u) => u.associateId,
  userName: (u) => u.userName,
  assocName: (u) => u.userName,
  name: (u) => u.userName,
  fullName: (u) => u.fullName,
  personEmail: (u) => u.email,
  isActive: (u) => u.active,
  canLogin: (u) => u.active && (u.type === 'associate' || u.type === 'external'),
  assocType: (u) => TYPE_TEXT[u.type],
}
const COLUMN_BY_LOWER = new Map(Object.keys(COLUMNS).map((c) => [c.toLowerCase(), c]))

const encoded = (value: string | number | boolean) => (typeof value === 'number' ? `[I:${value}]` : typeof value === 'boolean' ? `[I:${value ? 1 : 0}]` : value)

/** The Archive agent's string-restriction list, over the sandbox's user directory (provider AllUsers only). */
export const ARCHIVE_HANDLERS: Record<string, OperationHandler> = {
  GetArchiveListByColumns2: {run: archiveListByColumns, failureBody: [['Response', undefined]]},
}

function archiveListByColumns(payload: XElement, ctx: HandlerContext): XmlFields {
  const provider = (childText(payload, ctx.ns, 'ProviderName') ?? '').trim()
  if (provider.toLowerCase() !== 'allusers') throw unknownProvider(provider)
  const columns = (childText(payload, ctx.ns, 'Columns') ?? '').split(',').map((c) => c.trim()).filter(Boolean)
  const chosen = columns.map((c) => {
    const known = COLUMN_BY_LOWER.get(c.toLowerCase())
    if (!known) throw archiveException(`The column '${c}' is not known by the archive provider AllUsers. Known columns: ${Object.keys(COLUMNS).join(', ')}.`, {Column: c})
    return {asked: c, name: known}
  })
  if (chosen.length === 0) throw archiveException('GetArchiveListByColumns2 was called without Columns; name the columns to return, e.g. associateDbId,userName.', {})
  const text = childText(payload, ctx.ns, 'Restrictions') ?? ''
  if (text.trim() === '') throw archiveException('The archive provider AllUsers requires at least one restriction; it does not list every user without one.', {Provider: 'AllUsers'})
  let restriction: Restriction
  try {
    restriction = parseRestrictions(text, (column) => COLUMN_BY_LOWER.get(column.toLowerCase()))
  } catch (error) {
    if (error instanceof RestrictionSyntaxError) throw archiveException(`The restriction string could not be parsed: ${error.message}`, {Restrictions: text})
    throw error
  }
  const page = Math.max(0, childInt(payload, ctx.ns, 'Page'))
  const askedSize = childInt(payload, ctx.ns, 'PageSize')
  const pageSize = askedSize <= 0 ? DEFAULT_PAGE_SIZE : Math.min(askedSize, MAX_PAGE_SIZE)
  const matching = ctx.users.all().filter((user) => restriction((column) => COLUMNS[column]!(user)))
  const rows = matching.slice(page * pageSize, (page + 1) * pageSize)
  return [['Response', rows.map((user) => ['ArchiveListItem', listItem(user, chosen)] as const)]]
}

function listItem(user: DirectoryUser, columns: ReadonlyArray<{asked: string; name: string}>): XmlFields {
  return [
    ['TableRight', undefined],
    ['FieldProperties', undefined],
    ['EntityName', 'associate'],
    ['PrimaryKey', user.associateId],
    ['ColumnData', columns.map(({asked, name}) => ['ColumnDataKeyValuePair', [
      ['Key', asked],
      ['Value', [['DisplayValue', encoded(COLUMNS[name]!(user))], ['TooltipHint', ''], ['LinkHint', '']]],
    ]] as const)],
    ['LinkHint', `soprotocol:associate?associate_id=${user.associateId}`],
    ['StyleHint', ''],
  ]
}

function unknownProvider(name: string): SoException {
  return archiveException(`Archive provider '${name}' was not found. The soemail sandbox serves the provider AllUsers only.`, {ProviderName: name})
}

function archiveException(message: string, parameters: Record<string, string>): SoException {
  return new SoException({
    type: 'SoArchiveException',
    message,
    friendlyText: message,
    source: 'SuperOffice.CRM.ArchiveLists',
    stackTrace: '   at SuperOffice.CRM.ArchiveLists.ArchiveProviderFactory.Create(String providerName)',
    parameters,
  })
}
