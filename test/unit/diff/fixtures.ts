import {writeBatch, type BatchResult, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase} from '../../../src/staging/database.js'
import {DATASET_COLLECTIONS, type Dataset, generateDataset} from '../../support/fictional.js'

/** A small fictional municipality: 2 school units, 30 students, 4 staff, their groups, duties and activities. */
export function smallDataset(): Dataset {
  return generateDataset({persons: 30, staff: 4, schoolUnits: 2})
}

/** The records of a dataset as staging takes them. */
export function datasetRecords(dataset: Dataset): StagedRecord[] {
  return DATASET_COLLECTIONS.flatMap(({key, entity, file}) =>
    (dataset[key] ?? []).map((value, index) => ({entity, id: value.id, value, file, line: index + 1})),
  )
}

/** Stages records as one full batch of a scope; returns the batch. */
export function stage(
  dbPath: string,
  scope: string,
  records: Iterable<StagedRecord>,
  options: {kind?: 'import' | 'snapshot'; label?: string; source?: string} = {},
): BatchResult {
  const db = openStagingDatabase(dbPath)
  try {
    return writeBatch(
      db,
      {
        kind: options.kind ?? 'import',
        scope,
        partial: false,
        files: [],
        now: () => '2026-08-20T07:00:00+02:00',
        ...(options.label === undefined ? {} : {label: options.label}),
        ...(options.source === undefined ? {} : {source: options.source}),
      },
      records,
    )
  } finally {
    db.close()
  }
}

/** Every record of a type, as staging takes them. */
export function entityRecords(dataset: Dataset, key: keyof Dataset): StagedRecord[] {
  return datasetRecords({...emptyDataset(), [key]: dataset[key]})
}

function emptyDataset(): Dataset {
  return {organisations: [], persons: [], groups: [], duties: [], activities: []}
}
