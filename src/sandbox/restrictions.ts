/**
 * NetServer's string restrictions (the Archive agent's "…2" operations): `column op value` terms joined
 * by AND and OR (AND binds tighter), with brackets. The operators the sandbox knows: `=`, `in (…)` and
 * its twin `oneOf (…)`, `begins`, `contains`. Strings are single-quoted, a backslash escapes a quote;
 * comparisons of text ignore case, as SQL Server's default collation does.
 */
export type Restriction = (value: (column: string) => string | number | boolean) => boolean

export class RestrictionSyntaxError extends Error {
  override name = 'RestrictionSyntaxError'
}

type Token = {kind: 'word' | 'string' | 'number' | 'punct'; text: string; at: number}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    if (/\s/.test(ch)) {
      i++
    } else if (ch === "'") {
      let value = ''
      let j = i + 1
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) j++
        value += text[j]
      }
      if (j >= text.length) throw new RestrictionSyntaxError(`the string starting at position ${i + 1} has no closing quote`)
      tokens.push({kind: 'string', text: value, at: i})
      i = j + 1
    } else if ('(),='.includes(ch)) {
      tokens.push({kind: 'punct', text: ch, at: i})
      i++
    } else {
      const m = /^(\[I:-?\d+\]|-?\d+|[A-Za-z_][\w.]*)/.exec(text.slice(i))
      if (!m) throw new RestrictionSyntaxError(`unexpected '${ch}' at position ${i + 1}`)
      const word = m[0]
      const number = /^\[I:(-?\d+)\]$/.exec(word)?.[1] ?? (/^-?\d+$/.test(word) ? word : undefined)
      tokens.push(number === undefined ? {kind: 'word', text: word, at: i} : {kind: 'number', text: number, at: i})
      i += word.length
    }
  }
  return tokens
}

type Scalar = string | number

const norm = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v).toLowerCase())

/** Parses `text`; `column` maps a name as written to the provider's column, or undefined when it has none. */
export function parseRestrictions(text: string, column: (name: string) => string | undefined): Restriction {
  const tokens = tokenize(text)
  let pos = 0
  const peek = () => tokens[pos]
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text.toLowerCase() === w.toLowerCase()
  const expect = (p: string) => {
    const t = tokens[pos]
    if (t?.kind !== 'punct' || t.text !== p) throw new RestrictionSyntaxError(`expected '${p}'${t ? ` at position ${t.at + 1}` : ' at the end'}`)
    pos++
  }
  const value = (): Scalar => {
    const t = tokens[pos++]
    if (t?.kind === 'string') return t.text
    if (t?.kind === 'number') return Number(t.text)
    throw new RestrictionSyntaxError(`expected a value${t ? ` at position ${t.at + 1}` : ' at the end'}`)
  }

  const term = (): Restriction => {
    const t = peek()
    if (t?.kind === 'punct' && t.text === '(') {
      pos++
      const inner = or()
      expect(')')
      return inner
    }
    if (t?.kind !== 'word') throw new RestrictionSyntaxError(`expected a column name${t ? ` at position ${t.at + 1}` : ' at the end'}`)
    pos++
    const name = column(t.text)
    if (name === undefined) throw new RestrictionSyntaxError(`the column '${t.text}' cannot be used as a restriction here`)
    const op = tokens[pos++]
    const get = (v: Parameters<Restriction>[0]) => norm(v(name))
    if (op?.kind === 'punct' && op.text === '=') {
      const wanted = norm(value())
      return (v) => get(v) === wanted
    }
    if (isWord(op, 'in') || isWord(op, 'oneOf')) {
      expect('(')
      const set = new Set<string>([norm(value())])
      while (peek()?.kind === 'punct' && peek()!.text === ',') {
        pos++
        set.add(norm(value()))
      }
      expect(')')
      return (v) => set.has(get(v))
    }
    if (isWord(op, 'begins')) {
      const prefix = norm(value())
      return (v) => get(v).startsWith(prefix)
    }
    if (isWord(op, 'contains')) {
      const part = norm(value())
      return (v) => get(v).includes(part)
    }
    throw new RestrictionSyntaxError(`the operator ${op ? `'${op.text}' at position ${op.at + 1}` : 'after ' + t.text} is not one of =, in, oneOf, begins, contains`)
  }
  const and = (): Restriction => {
    const parts = [term()]
    while (isWord(peek(), 'and')) {
      pos++
      parts.push(term())
    }
    return parts.length === 1 ? parts[0]! : (v) => parts.every((p) => p(v))
  }
  const or = (): Restriction => {
    const parts = [and()]
    while (isWord(peek(), 'or')) {
      pos++
      parts.push(and())
    }
    return parts.length === 1 ? parts[0]! : (v) => parts.some((p) => p(v))
  }
  const result = or()
  if (pos < tokens.length) throw new RestrictionSyntaxError(`unexpected '${tokens[pos]!.text}' at position ${tokens[pos]!.at + 1}`)
  return result
}
