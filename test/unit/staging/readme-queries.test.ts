import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {writeBatch, type BatchInput, type StagedRecord} from '../../../src/staging/batches.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {makeTempDir, REPO_ROOT} from '../../support/cli.js'

/** The example queries of README's "The database" section, one statement each, with the comment above it. */
function readmeQueries(): Array<{comment: string; sql: string}> {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('### The database'))
  const block = /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return block
    .split(/;\n/)
    .map((statement) => statement.trim())
    .filter(Boolean)
    .map((statement) => {
      const lines = statement.split('\n')
      return {
        comment: lines.filter((line) => line.startsWith('--')).join(' '),
        sql: lines.filter((line) => !line.startsWith('--')).join('\n'),
      }
    })
}

let temp: {dir: string; cleanup: () => Promise<void>}
let db: StagingDatabase
beforeAll(async () => {
  temp = await makeTempDir('ss12000-readme-sql-')
  db = openStagingDatabase(join(temp.dir, 'readme.db'))
  const input: BatchInput = {
    kind: 'import',
    scope: 's',
    partial: false,
    files: [],
    now: () => '2026-11-27T10:00:00+01:00',
  }
  const person = (id: string, givenName: string, email?: string): StagedRecord => ({
    entity: 'Person',
    id,
    value: {id, givenName, familyName: 'Ek', ...(email ? {emails: [{value: email, type: 'Privat'}]} : {})},
    file: 'persons.json',
    line: 2,
  })
  const group = (id: string, displayName: string, members: string[]): StagedRecord => ({
    entity: 'Group',
    id,
    value: {id, displayName, groupMemberships: members.map((member) => ({person: {id: member}}))},
  })
  writeBatch(db, input, [person('p1', 'Alva', 'alva@example.se'), person('p2', 'Elis'), group('g1', '7A', ['p1'])])
  writeBatch(db, input, [
    person('p1', 'Alva Maria', 'alva@example.se'),
    person('p3', 'Saga'),
    group('g1', '7A', ['p1', 'p3']),
    group('g2', '7B', []),
  ])
})
afterAll(async () => {
  db.close()
  await temp.cleanup()
})

describe("README's example queries", () => {
  const queries = readmeQueries()
  const answer = (words: string) => {
    const query = queries.find((candidate) => candidate.comment.includes(words))
    expect(query, words).toBeDefined()
    return db.prepare(query!.sql).all()
  }

  it('are there, and every one runs', () => {
    expect(queries.length).toBeGreaterThanOrEqual(6)
    for (const query of queries) expect(() => db.prepare(query.sql).all(), query.comment).not.toThrow()
  })

  it('answer what they say they answer', () => {
    expect(answer('What is staged now')).toEqual([
      {scope: 's', entity: 'Group', records: 2},
      {scope: 's', entity: 'Person', records: 2},
    ])
    expect(answer('Who changed between')).toEqual([
      {entity: 'Group', id: 'g1', givenName: null, change: 'changed'},
      {entity: 'Group', id: 'g2', givenName: null, change: 'added'},
      {entity: 'Person', id: 'p1', givenName: 'Alva Maria', change: 'changed'},
      {entity: 'Person', id: 'p2', givenName: null, change: 'removed'},
      {entity: 'Person', id: 'p3', givenName: 'Saga', change: 'added'},
    ])
    expect(answer('lack an email')).toEqual([{id: 'p3', name: 'Saga Ek'}])
    expect(answer('have no members')).toEqual([{id: 'g2', displayName: '7B'}])
    expect(answer('members of each group')).toEqual([
      {displayName: '7A', givenName: 'Alva Maria'},
      {displayName: '7A', givenName: 'Saga'},
    ])
    expect(answer('held right after batch 1')).toEqual(
      expect.arrayContaining([
        {entity: 'Person', id: 'p1'},
        {entity: 'Person', id: 'p2'},
        {entity: 'Group', id: 'g1'},
      ]),
    )
    expect(answer('held right after batch 1')).toHaveLength(3)
  })
})
