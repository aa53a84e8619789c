import {describe, expect, it} from 'vitest'

import {
  normalizeText,
  type NormalizeTextOptions,
  splitName,
  type SplitNameOptions,
} from '../../../src/transforms/text.js'
import {type Case, type Outcome, outcome} from '../../support/cases.js'

// Names are fictional combinations of common Swedish names.

describe('normalizeText', () => {
  const cases: Case<{value: string | undefined; options?: NormalizeTextOptions}, string | undefined>[] = [
    {name: 'trims', input: {value: '  Alva  '}, expected: 'Alva'},
    {name: 'trims no-break spaces', input: {value: '\u00a0Alva\u00a0'}, expected: 'Alva'},
    {name: 'composes to NFC', input: {value: 'A\u030Aberg'}, expected: 'Åberg'},
    {name: 'keeps inner spacing by default', input: {value: 'Alva  Maria'}, expected: 'Alva  Maria'},
    {
      name: 'collapses whitespace runs',
      input: {value: 'Alva \t\u00a0 Maria\nEk', options: {collapseSpaces: true}},
      expected: 'Alva Maria Ek',
    },
    {name: 'upper', input: {value: 'Åsa Öberg', options: {case: 'upper'}}, expected: 'ÅSA ÖBERG'},
    {name: 'lower', input: {value: 'ÅSA ÖBERG', options: {case: 'lower'}}, expected: 'åsa öberg'},
    {
      name: 'title: hyphenated name',
      input: {value: 'ANNA-KARIN ÅBERG', options: {case: 'title'}},
      expected: 'Anna-Karin Åberg',
    },
    {name: 'title: all lower case', input: {value: 'erik öhman', options: {case: 'title'}}, expected: 'Erik Öhman'},
    {
      name: 'title: particle von',
      input: {value: 'CARL VON LINNÉ', options: {case: 'title'}},
      expected: 'Carl von Linné',
    },
    {
      name: 'title: leading particle af',
      input: {value: 'AF KLINTBERG', options: {case: 'title'}},
      expected: 'af Klintberg',
    },
    {
      name: 'title: particles de la… only those listed',
      input: {value: 'MARIA DE LA CRUZ', options: {case: 'title'}},
      expected: 'Maria de La Cruz',
    },
    {
      name: 'title: a particle as the last word is a name',
      input: {value: 'ANNA DE', options: {case: 'title'}},
      expected: 'Anna De',
    },
    {name: 'title: apostrophe', input: {value: "SEAN O'BRIEN", options: {case: 'title'}}, expected: "Sean O'Brien"},
    {
      name: 'title: "family, given"',
      input: {value: 'EK LIND, ALVA MARIA', options: {case: 'title'}},
      expected: 'Ek Lind, Alva Maria',
    },
    {
      name: 'title: mixed case is trusted as written',
      input: {value: 'Lisa McLean', options: {case: 'title'}},
      expected: 'Lisa McLean',
    },
    {
      name: 'title: own particle list',
      input: {value: 'VAN NGUYEN', options: {case: 'title', particles: []}},
      expected: 'Van Nguyen',
    },
    {
      name: 'title: keeps spacing unless collapsed',
      input: {value: 'ALVA  EK', options: {case: 'title'}},
      expected: 'Alva  Ek',
    },
    {
      name: 'title: a letter after a digit is capitalised',
      input: {value: 'KLASS 7A', options: {case: 'title'}},
      expected: 'Klass 7A',
    },
    {name: 'absent', input: {value: undefined}, expected: undefined},
    {name: 'blank becomes absent', input: {value: ' \u00a0 '}, expected: undefined},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(normalizeText(input.value, input.options)).toEqual({ok: true, value: expected})
  })
})

describe('splitName', () => {
  const cases: Case<{value: string | undefined; options: SplitNameOptions}, Outcome<unknown>>[] = [
    {
      name: 'family, given',
      input: {value: 'Ek, Alva Maria', options: {format: 'family, given'}},
      expected: {value: {givenName: 'Alva Maria', familyName: 'Ek'}},
    },
    {
      name: 'family, given: double family name, extra spaces',
      input: {value: 'Ek  Lind ,  Alva', options: {format: 'family, given'}},
      expected: {value: {givenName: 'Alva', familyName: 'Ek Lind'}},
    },
    {
      name: 'family, given: no space after the comma',
      input: {value: 'Öberg,Åsa', options: {format: 'family, given'}},
      expected: {value: {givenName: 'Åsa', familyName: 'Öberg'}},
    },
    {
      name: 'family, given: a single word is the family name',
      input: {value: 'Ek', options: {format: 'family, given'}},
      expected: {value: {familyName: 'Ek'}, warning: 'transform.name.single'},
    },
    {
      name: 'family, given: nothing after the comma',
      input: {value: 'Ek,', options: {format: 'family, given'}},
      expected: {value: {familyName: 'Ek'}, warning: 'transform.name.single'},
    },
    {
      name: 'family, given: nothing before the comma',
      input: {value: ', Alva', options: {format: 'family, given'}},
      expected: {value: {givenName: 'Alva'}, warning: 'transform.name.single'},
    },
    {
      name: 'family, given: several words without a comma',
      input: {value: 'Alva Ek', options: {format: 'family, given'}},
      expected: {problem: 'transform.name.format'},
    },
    {
      name: 'family, given: two commas',
      input: {value: 'Ek, Alva, Maria', options: {format: 'family, given'}},
      expected: {problem: 'transform.name.format'},
    },
    {
      name: 'family, given: only a comma',
      input: {value: ',', options: {format: 'family, given'}},
      expected: {problem: 'transform.name.format'},
    },
    {
      name: 'given family',
      input: {value: 'Alva Maria Ek', options: {format: 'given family'}},
      expected: {value: {givenName: 'Alva Maria', familyName: 'Ek'}},
    },
    {
      name: 'given family: hyphenated names are one word',
      input: {value: 'Anna-Karin Ek-Lind', options: {format: 'given family'}},
      expected: {value: {givenName: 'Anna-Karin', familyName: 'Ek-Lind'}},
    },
    {
      name: 'given family: particles join the family name',
      input: {value: 'Carl von Linné', options: {format: 'given family'}},
      expected: {value: {givenName: 'Carl', familyName: 'von Linné'}},
    },
    {
      name: 'given family: at least one given name stays',
      input: {value: 'Von Essen', options: {format: 'given family'}},
      expected: {value: {givenName: 'Von', familyName: 'Essen'}},
    },
    {
      name: 'given family: a single name',
      input: {value: 'Alva', options: {format: 'given family'}},
      expected: {value: {familyName: 'Alva'}, warning: 'transform.name.single'},
    },
    {
      name: 'given family: a comma means the format is wrong',
      input: {value: 'Ek, Alva', options: {format: 'given family'}},
      expected: {problem: 'transform.name.format'},
    },
    {
      name: 'family given',
      input: {value: 'Ek Alva Maria', options: {format: 'family given'}},
      expected: {value: {givenName: 'Alva Maria', familyName: 'Ek'}},
    },
    {
      name: 'family given: particles lead the family name',
      input: {value: 'af Klintberg Bengt', options: {format: 'family given'}},
      expected: {value: {givenName: 'Bengt', familyName: 'af Klintberg'}},
    },
    {
      name: 'family given: own particle list',
      input: {value: 'af Klintberg Bengt', options: {format: 'family given', particles: []}},
      expected: {value: {givenName: 'Klintberg Bengt', familyName: 'af'}},
    },
    {name: 'absent', input: {value: undefined, options: {format: 'given family'}}, expected: {value: undefined}},
    {name: 'blank', input: {value: '   ', options: {format: 'family, given'}}, expected: {value: undefined}},
  ]
  it.each(cases)('$name', ({input, expected}) => {
    expect(outcome(splitName(input.value, input.options))).toEqual(expected)
  })
})
