import {Writable} from 'node:stream'

import {describe, expect, it} from 'vitest'

import {EXCEL_CELL_LIMIT, excelText, StreamOutput} from '../../../src/services/export-output.js'

describe('excelText', () => {
  const cases: Array<{name: string; input: string; expected: string}> = [
    {name: 'plain text stays', input: 'Åsa Öberg', expected: 'Åsa Öberg'},
    {name: 'a formula-looking text stays as it is (it is a text cell)', input: '=1+1', expected: '=1+1'},
    {name: 'a control character becomes _xHHHH_', input: 'a\u0001b\u001Fc', expected: 'a_x0001_b_x001F_c'},
    {name: 'tab, LF and CR stay', input: 'a\tb\nc\rd', expected: 'a\tb\nc\rd'},
    {name: 'an underscore that would start an escape is escaped', input: '_x0041_', expected: '_x005F_x0041_'},
    {name: 'other underscores stay', input: '_embedded_x', expected: '_embedded_x'},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(excelText(input)).toEqual({text: expected, cut: false})
  })

  it('cuts text longer than a cell holds, with a note, without splitting a surrogate pair', () => {
    const {text, cut} = excelText('x'.repeat(EXCEL_CELL_LIMIT + 1))
    expect(cut).toBe(true)
    expect(text.length).toBeLessThanOrEqual(EXCEL_CELL_LIMIT)
    expect(text).toMatch(/x … \(cut: an Excel cell holds at most 32,767 characters; export json for the whole value\)$/)
    expect(excelText('x'.repeat(EXCEL_CELL_LIMIT)).cut).toBe(false)
    const emoji = excelText('😀'.repeat(EXCEL_CELL_LIMIT))
    expect(emoji.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})

describe('StreamOutput', () => {
  it('writes everything, waiting for a slow stream to drain', async () => {
    const chunks: string[] = []
    const stream = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString('utf8'))
        setImmediate(callback)
      },
    })
    const output = new StreamOutput(stream)
    const line = `${'x'.repeat(99)}\n`
    for (let index = 0; index < 2000; index++) await output.write(line)
    await output.finish()
    expect(chunks.join('')).toBe(line.repeat(2000))
    expect(output.closed).toBe(false)
  })

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
      },
    })
    const output = new StreamOutput(stream)
    for (let index = 0; index < 100 && !output.closed; index++) await output.write('y'.repeat(10_000))
    await output.finish()
    expect(output.closed).toBe(true)
  })

  it('throws any other stream error', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('disk full'), {code: 'ENOSPC'}))
      },
    })
    const output = new StreamOutput(stream)
    const write = async () => {
      for (let index = 0; index < 100; index++) await output.write('z'.repeat(10_000))
    }
    await expect(write()).rejects.toThrow('disk full')
  })
})
