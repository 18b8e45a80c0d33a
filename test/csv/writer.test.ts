/** csvLine writes what csv-stringify (default options) writes for the same record, which it replaced. */
import {stringify} from 'csv-stringify/sync'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {csvLine} from '../../src/csv/writer.js'

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
      fc.property(fc.array(cell, {minLength: 1, maxLength: 10}), (values) => {
        expect(csvLine(values)).toBe(stringify([values.map((v) => (v === undefined ? '' : String(v)))]))
      }),
      {numRuns: 3000},
    )
  })
})
