/** csvLine writes what csv-stringify (default options) writes for the same record, which it replaced. */
import {stringify} from 'csv-stringify/sync'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {csvLine, dialectOfInput} from '../../src/csv/writer.js'

describe('csvLine', () => {
  it('matches csv-stringify for any record', () => {
    const cell = fc.oneof(
      fc.string({maxLength: 8}),
      fc.constantFrom(',', '"', '""', '\n', '\r', '\r\n', ' ', "'", '=1+2', '-', '\t', 'é😀', ';'),
      fc.array(fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é'), {maxLength: 6}).map((p) => p.join('')),
      fc.integer(),
      fc.constantFrom(0, -0, 1.5, Number.NaN),
      fc.constant(undefined),
    )
    fc.assert(
      fc.property(fc.array(cell, {minLength: 1, maxLength: 10}), fc.constantFrom(',', ';', '\t') as fc.Arbitrary<',' | ';' | '\t'>, (values, delimiter) => {
        expect(csvLine(values, delimiter)).toBe(stringify([values.map((v) => (v === undefined ? '' : String(v)))], {delimiter}))
      }),
      {numRuns: 3000},
    )
  })

  it('quotes a cell holding the delimiter in use, and only then', () => {
    expect(csvLine(['a;b', 'c,d'], ';')).toBe('"a;b";c,d\n')
    expect(csvLine(['a\tb', 'c;d'], '\t')).toBe('"a\tb"\tc;d\n')
  })
})

describe('dialectOfInput', () => {
  it('keeps the delimiter; a BOM when the input had one or was not UTF-8', () => {
    expect(dialectOfInput({delimiter: ';', bom: true})).toEqual({delimiter: ';', bom: true})
    expect(dialectOfInput({delimiter: '\t', bom: false})).toEqual({delimiter: '\t', bom: false})
    expect(dialectOfInput({delimiter: ',', bom: false, encoding: 'utf-8'})).toEqual({delimiter: ',', bom: false})
    expect(dialectOfInput({delimiter: ';', bom: false, encoding: 'windows-1252'})).toEqual({delimiter: ';', bom: true})
  })
})
