import type {NetServerClient} from './client.js'
import type {XmlFields} from './envelope.js'
import {isNil, type XElement} from './xml-tree.js'

/** One ArchiveListItem: its primary key and the chosen columns' display values (decoded, see displayText). */
export interface ArchiveRow {
  entityName?: string
  primaryKey: number
  columns: Record<string, string>
}

export interface ArchiveQuery {
  /** An archive provider, e.g. AllUsers. */
  provider: string
  columns: readonly string[]
  /** String restrictions, e.g. `userName oneOf('kari','ola')` (see restrictionValue). */
  restrictions: string
  sortOrder?: string
  /** 0-based. */
  page: number
  /** NetServer pages archives at up to 1000 rows. */
  pageSize: number
}

/** Remote/ServicesNN/Archive.svc: the archive lists, by string restrictions (GetArchiveListByColumns2). */
export class ArchiveService {
  constructor(private readonly client: NetServerClient) {}

  /** One page of an archive; fewer than `pageSize` rows means it was the last. */
  async getArchiveListByColumns2(query: ArchiveQuery): Promise<ArchiveRow[]> {
    // The XSD's sequence: ProviderName, Columns, SortOrder, Restrictions, Entities, Page, PageSize.
    const body: XmlFields = [
      ['ProviderName', query.provider],
      ['Columns', query.columns.join(',')],
      ['SortOrder', query.sortOrder],
      ['Restrictions', query.restrictions],
      ['Page', query.page],
      ['PageSize', query.pageSize],
    ]
    const res = await this.client.call('Archive', 'GetArchiveListByColumns2', body, {idempotent: true, credentials: true})
    const list = res.body.children.find((c) => c.local === 'Response')
    if (!list || isNil(list)) return []
    return list.children.filter((c) => c.local === 'ArchiveListItem' && !isNil(c)).map(archiveRow)
  }
}

function archiveRow(item: XElement): ArchiveRow {
  const text = (name: string) => item.children.find((c) => c.local === name && !isNil(c))?.text
  const columns: Record<string, string> = {}
  const data = item.children.find((c) => c.local === 'ColumnData' && !isNil(c))
  for (const pair of data?.children ?? []) {
    const key = pair.children.find((c) => c.local === 'Key')?.text
    const value = pair.children.find((c) => c.local === 'Value' && !isNil(c))
    const display = value?.children.find((c) => c.local === 'DisplayValue' && !isNil(c))?.text
    if (key !== undefined) columns[key] = displayText(display ?? '')
  }
  const key = Number.parseInt(text('PrimaryKey') ?? '', 10)
  return {entityName: text('EntityName'), primaryKey: Number.isNaN(key) ? 0 : key, columns}
}

/**
 * A display value without NetServer's culture-neutral encoding: `[I:12]` is 12, `[B:true]` true; text
 * that is not encoded comes back as it is.
 */
export function displayText(value: string): string {
  const m = /^\[([A-Z]):(.*)\]$/s.exec(value.trim())
  return m ? m[2]! : value
}

/** A value inside a string restriction: single-quoted, a backslash before each quote and backslash. */
export function restrictionValue(value: string | number): string {
  if (typeof value === 'number') return String(value)
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
