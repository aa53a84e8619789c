import {writeBatch, type BatchInput, type StagedRecord} from '../../src/staging/batches.js'
import {openStagingDatabase} from '../../src/staging/database.js'
import {makeCivicNumber} from '../../src/validation/identity.js'

/**
 * A staging database with a story to tell, for the read commands (status, history). All of it is fictional.
 *
 * Batch 1, scope `skolverket` (a full snapshot): the organisation and Alva.
 * Batch 2, scope `se-generic` (full, "HT 2026"): the organisation, Alva, Elis and class 7A with both of them.
 * Batch 3, scope `se-generic` (full, "HT 2026 v2"): Alva's given name, civic number (same birth date) and emails
 *   change; Elis unchanged; 7A unchanged. Drift warnings recorded.
 * Batch 4, scope `se-generic` (full, "Avgångar"): Alva is gone (removed); 7A loses her.
 * Batch 5, scope `se-generic` (partial, "Komplettering"): Alva comes back with a new family name.
 */
export const STAGED = {
  organisation: '0b8a2f4e-1c3d-4e5f-8a9b-0c1d2e3f4a50',
  alva: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b60',
  elis: '1c9b3a5f-2d4e-4f60-9bac-1d2e3f4a5b61',
  group: '2dac4b60-3e5f-4071-8cbd-2e3f4a5b6c70',
  /** Alva's civic number in batches 1–2, and from batch 3 on (the same birth date, another serial). */
  alvaCivic: makeCivicNumber('2011-04-07', 123),
  alvaCivicLater: makeCivicNumber('2011-04-07', 124),
  elisCivic: makeCivicNumber('2010-11-30', 456),
  /** The drift column of batch 3: what the producer writes, with a field status does not know and an odd item. */
  drift: [
    {message: 'elever.csv: new column "Mentor"', kind: 'column-added', input: 'elever.csv', column: 'Mentor', seen: 3},
    {message: 'elever.csv: column "Klass" is gone', kind: 'column-removed', input: 'elever.csv', column: 'Klass'},
    {kind: 'no-message'},
    42,
  ],
} as const

const organisation = {
  id: STAGED.organisation,
  displayName: 'Exempelskolan',
  organisationType: 'Skolenhet',
  schoolUnitCode: '12345678',
}
const alva = {id: STAGED.alva, givenName: 'Alva', familyName: 'Ek', civicNo: {value: STAGED.alvaCivic}}
const alvaLater = {
  ...alva,
  givenName: 'Alva Maria',
  civicNo: {value: STAGED.alvaCivicLater},
  emails: [{value: 'alva.ek@exempelskolan.example', type: 'Skola elev'}],
}
const alvaBack = {...alvaLater, familyName: 'Björk'}
const elis = {id: STAGED.elis, givenName: 'Elis', familyName: 'Holm', civicNo: {value: STAGED.elisCivic}}
const group = (members: string[]) => ({
  id: STAGED.group,
  displayName: '7A',
  groupType: 'Klass',
  startDate: '2026-08-17',
  organisation: {id: STAGED.organisation},
  groupMemberships: members.map((id) => ({person: {id}})),
})

const records = (entries: Array<[StagedRecord['entity'], {id: string}]>, file: string): StagedRecord[] =>
  entries.map(([entity, value], index) => ({entity, id: value.id, value, file, line: index + 2}))

/** Writes the story above into a new database at `path`. */
export function writeStagedStory(path: string): void {
  const db = openStagingDatabase(path)
  const batch = (overrides: Partial<BatchInput> & {scope: string; time: string}): BatchInput => ({
    kind: 'import',
    partial: false,
    files: [{path: 'persons.json', sha256: 'ab'.repeat(32), size: 1234}],
    template: {name: 'se-generic', version: '1.0.0'},
    now: () => overrides.time,
    ...overrides,
  })
  try {
    writeBatch(
      db,
      batch({
        kind: 'snapshot',
        scope: 'skolverket',
        source: 'https://api.example/ss12000/v2',
        template: undefined,
        files: [],
        time: '2026-08-01T09:00:00+02:00',
      }),
      records(
        [
          ['Organisation', organisation],
          ['Person', alva],
        ],
        'snapshot.json',
      ),
    )
    writeBatch(
      db,
      batch({scope: 'se-generic', label: 'HT 2026', time: '2026-08-20T07:00:00+02:00'}),
      records(
        [
          ['Organisation', organisation],
          ['Person', alva],
          ['Person', elis],
          ['Group', group([STAGED.alva, STAGED.elis])],
        ],
        'persons.json',
      ),
    )
    writeBatch(
      db,
      batch({scope: 'se-generic', label: 'HT 2026 v2', time: '2026-09-01T07:00:00+02:00', drift: STAGED.drift}),
      records(
        [
          ['Organisation', organisation],
          ['Person', alvaLater],
          ['Person', elis],
          ['Group', group([STAGED.alva, STAGED.elis])],
        ],
        'persons.json',
      ),
    )
    writeBatch(
      db,
      batch({scope: 'se-generic', label: 'Avgångar', time: '2026-10-01T07:00:00+02:00'}),
      records(
        [
          ['Organisation', organisation],
          ['Person', elis],
          ['Group', group([STAGED.elis])],
        ],
        'persons.json',
      ),
    )
    writeBatch(
      db,
      batch({scope: 'se-generic', label: 'Komplettering', partial: true, time: '2026-10-15T07:00:00+02:00'}),
      records([['Person', alvaBack]], 'komplettering.json'),
    )
  } finally {
    db.close()
  }
}
