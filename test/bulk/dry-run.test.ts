import {describe, expect, it} from 'vitest'
import {planBatch, type PlanContext} from '../../src/bulk/dry-run.js'
import {createLine, HEADER, rowsOf} from '../helpers/csv-input.js'

describe('planBatch, the seam that decides what each row of a dry-run will do', () => {
  it('plans invalid rows and creates at once, in order, and defers only the rows that need a read', async () => {
    const rows = await rowsOf(`${HEADER}\n${createLine(1)}\n,not-an-email,5,i,993,,,p,s,587,,,p\n42,,,new.example.no,,,,,,,,,\n`)
    // Nothing here may touch the server: the context's service is never called for these rows.
    const planned = await planBatch(rows, {email: undefined} as unknown as PlanContext)
    expect(planned).toHaveLength(3)
    expect(planned[0]).toEqual({line: 2, email: 'user1@example.no', associateId: 2, id: undefined, action: 'create'})
    expect(planned[1]).toMatchObject({line: 3, action: 'invalid', error: expect.stringContaining('email')})
    expect(typeof planned[2]).toBe('function')
  })
})
