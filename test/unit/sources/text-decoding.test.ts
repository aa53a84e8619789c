import {Buffer, isUtf8} from 'node:buffer'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  decodeBytes,
  decodeWindows1252,
  detectBom,
  type TranscoderMode,
  Utf8Transcoder,
} from '../../../src/sources/text-decoding.js'

/** Windows-1252 0x80–0x9F as the code page defines them; undefined bytes keep their Latin-1 (C1) meaning. */
const WINDOWS_1252_HIGH: Array<[number, string]> = [
  [0x80, '€'],
  [0x81, '\u0081'],
  [0x82, '‚'],
  [0x83, 'ƒ'],
  [0x84, '„'],
  [0x85, '…'],
  [0x86, '†'],
  [0x87, '‡'],
  [0x88, 'ˆ'],
  [0x89, '‰'],
  [0x8a, 'Š'],
  [0x8b, '‹'],
  [0x8c, 'Œ'],
  [0x8d, '\u008d'],
  [0x8e, 'Ž'],
  [0x8f, '\u008f'],
  [0x90, '\u0090'],
  [0x91, '‘'],
  [0x92, '’'],
  [0x93, '“'],
  [0x94, '”'],
  [0x95, '•'],
  [0x96, '–'],
  [0x97, '—'],
  [0x98, '˜'],
  [0x99, '™'],
  [0x9a, 'š'],
  [0x9b, '›'],
  [0x9c, 'œ'],
  [0x9d, '\u009d'],
  [0x9e, 'ž'],
  [0x9f, 'Ÿ'],
]

/** Runs bytes through a transcoder in pieces of the given size. */
function transcode(bytes: Uint8Array, mode: TranscoderMode, pieceSize: number): {text: string; t: Utf8Transcoder} {
  const t = new Utf8Transcoder(mode)
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.length; at += pieceSize) parts.push(t.write(bytes.subarray(at, at + pieceSize)))
  parts.push(t.end())
  return {text: Buffer.concat(parts).toString('utf8'), t}
}

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))))

describe('decodeWindows1252', () => {
  it.each(WINDOWS_1252_HIGH)('byte 0x%s is the code page character', (byte, expected) => {
    expect(decodeWindows1252(Uint8Array.of(byte))).toBe(expected)
  })

  it('reads ASCII and 0xA0–0xFF as Latin-1 (å ä ö Å Ä Ö é, NBSP)', () => {
    expect(decodeWindows1252(Uint8Array.of(0x41, 0xe5, 0xe4, 0xf6, 0xc5, 0xc4, 0xd6, 0xe9, 0xa0))).toBe(
      'AåäöÅÄÖé\u00a0',
    )
    const all = Uint8Array.from({length: 0x60}, (_, index) => 0xa0 + index)
    expect(decodeWindows1252(all)).toBe(Buffer.from(all).toString('latin1'))
  })

  it('differs from Latin-1 exactly where the code page defines 0x80–0x9F', () => {
    const high = Uint8Array.from({length: 32}, (_, index) => 0x80 + index)
    expect(decodeWindows1252(high)).toBe(WINDOWS_1252_HIGH.map(([, char]) => char).join(''))
  })
})

describe('detectBom', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], {encoding: 'utf-8', length: 3}],
    [[0xff, 0xfe, 0x41, 0x00], {encoding: 'utf-16le', length: 2}],
    [[0xfe, 0xff, 0x00, 0x41], {encoding: 'utf-16be', length: 2}],
    [[0xef, 0xbb], undefined],
    [[0x41, 0x42], undefined],
    [[], undefined],
  ])('%j → %j', (head, expected) => {
    expect(detectBom(Uint8Array.from(head))).toEqual(expected)
  })
})

describe('Utf8Transcoder, auto mode', () => {
  // Line 1 ASCII, 2 UTF-8 (å, ’), 3 Windows-1252 (– ’ € ö), 4 a lone CR line, 5 CRLF UTF-8 with a 4-byte character,
  // 6 Windows-1252 without a line break at the end.
  const sample = bytes(
    'Namn;Text\n',
    'Åsa;Hej’ å\n',
    'Bo;',
    [0x96, 0x92, 0x80, 0xf6],
    '\r',
    'Cia;x\r\n',
    'Dan;😀 é\r\n',
    'Eva;',
    [0xe4],
  )
  const expected = 'Namn;Text\nÅsa;Hej’ å\nBo;–’€ö\rCia;x\r\nDan;😀 é\r\nEva;ä'

  it.each([1, 2, 3, 4, 5, 7, 11, 64])('decodes per line and numbers the lines right in pieces of %i bytes', (size) => {
    const {text, t} = transcode(sample, 'auto', size)
    expect(text).toBe(expected)
    expect(t.windows1252Lines).toEqual({count: 2, first: [3, 6]})
    expect(t.sawNonAsciiUtf8).toBe(true)
  })

  it('passes valid UTF-8 through as the same bytes', () => {
    const input = Buffer.from('a;å\nb;😀\n', 'utf8')
    const t = new Utf8Transcoder('auto')
    const out = t.write(input)
    // Not a copy: the same memory, so the fast path costs no decoding.
    expect(out.buffer).toBe(input.buffer)
    expect([out.byteOffset, out.length]).toEqual([input.byteOffset, input.length])
    expect(t.end().length).toBe(0)
    expect(t.windows1252Lines.count).toBe(0)
  })

  it('keeps a multi-byte character split across reads whole', () => {
    const input = Buffer.from('x;å\ny;ö', 'utf8')
    for (let cut = 0; cut <= input.length; cut++) {
      const t = new Utf8Transcoder('auto')
      const out = Buffer.concat([t.write(input.subarray(0, cut)), t.write(input.subarray(cut)), t.end()])
      expect(out.toString('utf8')).toBe('x;å\ny;ö')
      expect(t.windows1252Lines.count).toBe(0)
    }
  })

  it('counts CRLF split across reads as one line break', () => {
    const input = bytes('a\r', '\n', 'b\r\n', [0xe5], '\n')
    const {t} = transcode(input, 'auto', 2)
    expect(t.windows1252Lines.first).toEqual([3])
  })

  it.each([
    ['pure ASCII', bytes('a;b\n1;2\n'), 'utf-8'],
    ['UTF-8', bytes('a;b\nå;2\n'), 'utf-8'],
    ['Windows-1252', bytes('a;b\n', [0xe5], ';2\n'), 'windows-1252'],
    ['both', bytes('a;b\n', [0xe5], ';2\nä;3\n'), 'utf-8'],
    ['Windows-1252 in a line not ended yet', bytes('a;b\n', [0xe5], ';2'), 'windows-1252'],
    ['UTF-8 cut in the middle of a character', bytes('a;b\nx;', [0xc3]), 'utf-8'],
  ])('guesses the encoding of %s', (_name, input, expected) => {
    const t = new Utf8Transcoder('auto')
    t.write(input)
    expect(t.guessEncoding()).toBe(expected)
  })

  it('decides an overlong line in pieces and reports it once', () => {
    const long = Buffer.alloc(3 * (1 << 20) + 5, 0xe5)
    const {text, t} = transcode(Buffer.concat([Buffer.from('h\n'), long, Buffer.from('\nz\n')]), 'auto', 1 << 16)
    expect(text.length).toBe(2 + long.length + 3)
    expect(text.slice(2, 6)).toBe('åååå')
    expect(t.windows1252Lines).toEqual({count: 1, first: [2]})
  })

  it('keeps the first ten Windows-1252 lines and counts the rest', () => {
    const input = Buffer.concat(Array.from({length: 25}, () => bytes([0xe5], '\n')))
    const {t} = transcode(input, 'auto', 5)
    expect(t.windows1252Lines).toEqual({count: 25, first: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
  })

  it('turns any bytes into valid UTF-8, the same whatever the read size', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 300}), fc.integer({min: 1, max: 40}), (input, size) => {
        const whole = transcode(input, 'auto', Math.max(1, input.length))
        const pieces = transcode(input, 'auto', size)
        expect(isUtf8(Buffer.from(whole.text, 'utf8'))).toBe(true)
        expect(pieces.text).toBe(whole.text)
        expect(pieces.t.windows1252Lines).toEqual(whole.t.windows1252Lines)
      }),
    )
  })

  it('leaves any valid UTF-8 text unchanged', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), fc.integer({min: 1, max: 16}), (text, size) => {
        const result = transcode(Buffer.from(text, 'utf8'), 'auto', size)
        expect(result.text).toBe(text)
        expect(result.t.windows1252Lines.count).toBe(0)
      }),
    )
  })
})

describe('Utf8Transcoder, given encodings', () => {
  it.each([1, 2, 3, 5])('decodes UTF-16 LE and BE split in pieces of %i bytes', (size) => {
    const text = 'Namn;Klass\r\nÅsa Öberg;7A 😀\r\n'
    const le = Buffer.from(text, 'utf16le')
    const be = Buffer.from(le).swap16()
    expect(transcode(le, 'utf-16le', size).text).toBe(text)
    expect(transcode(be, 'utf-16be', size).text).toBe(text)
  })

  it('reads every line as Windows-1252 when told, even valid UTF-8', () => {
    expect(decodeBytes(bytes('å\n', [0x96]), 'windows-1252')).toBe('Ã¥\n–')
  })

  it('replaces invalid bytes when told the file is UTF-8', () => {
    expect(decodeBytes(bytes('a', [0xe5], 'b\n'), 'utf-8')).toBe('a\ufffdb\n')
  })

  it('replaces an odd trailing byte of UTF-16', () => {
    expect(decodeBytes(Uint8Array.of(0x41, 0x00, 0x42), 'utf-16le')).toBe('A\ufffd')
  })
})
