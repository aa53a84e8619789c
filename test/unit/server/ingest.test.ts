import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildServer} from '../../../src/server/app.js'
import type {IngestWrite} from '../../../src/server/ingest.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {listBatches} from '../../../src/staging/read.js'
import {writeBatch} from '../../../src/staging/batches.js'
import {makeTempDir} from '../../support/cli.js'
import {generateDataset, generatePersons} from '../../support/fictional.js'

type Json = Record<string, unknown> & {id: string}

let temp: {dir: string; cleanup: () => Promise<void>}
let reader: StagingDatabase
let writer: StagingDatabase
let app: FastifyInstance
let base: string
let clock = 0
const now = () => `2026-11-27T12:${String(clock++).padStart(2, '0')}:00+01:00`
const writes: IngestWrite[] = []

// Valid under the skolverket profile (the ingest default), which these servers validate with.
const dataset = generateDataset({persons: 3, staff: 2, schoolUnits: 1})
const unit = dataset.organisations[0]! as Json
const [alva, elis, saga, rektor, teacher] = dataset.persons as Json[] as [Json, Json, Json, Json, Json]
const klass = dataset.groups[0]! as Json
const [rektorDuty, teacherDuty] = dataset.duties as Json[] as [Json, Json]
const activity = dataset.activities[0]! as Json
const missing = '00000000-0000-4000-8000-000000000404'
const manyMissing = Array.from({length: 20}, (_, index) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`)
/** Another valid person, none of the dataset's. */
const [stranger] = [...generatePersons(1, 99)] as Json[] as [Json]

beforeAll(async () => {
  temp = await makeTempDir('ss12000-ingest-')
  const path = join(temp.dir, 'ingest.db')
  reader = openStagingDatabase(path)
  writeBatch(reader, {kind: 'import', scope: 's', partial: false, files: [], now}, [
    {entity: 'Organisation', id: unit.id, value: unit},
  ])
  writer = openStagingDatabase(path)
  app = buildServer({
    db: reader,
    scope: 's',
    ingest: {db: writer, profile: 'skolverket', now, bodyLimit: 64 * 1024, onWrite: (write) => writes.push(write)},
  })
  await app.listen({host: '127.0.0.1', port: 0})
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await app.close()
  reader.close()
  writer.close()
  await temp.cleanup()
})

interface Answer {
  status: number
  body: Record<string, unknown> | undefined
}
const raw = async (method: string, path: string, text: string | undefined, type?: string): Promise<Answer> => {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(type === undefined ? {} : {headers: {'content-type': type}}),
    ...(text === undefined ? {} : {body: text}),
  })
  const body = await response.text()
  return {status: response.status, body: body === '' ? undefined : (JSON.parse(body) as Record<string, unknown>)}
}
const send = (method: string, path: string, body: unknown) =>
  raw(method, path, JSON.stringify(body), 'application/json')
const get = async (path: string) => {
  const response = await fetch(`${base}${path}`)
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}
const errors = (answer: Answer) => (answer.body?.errors ?? []) as string[]
const batchCount = () => listBatches(reader, 's').length

/** A refusal: the status, `{errors}` with a reason that says `reason`, and nothing staged. */
async function expectRefusal(request: Promise<Answer>, status: 400 | 409, reason: string | RegExp) {
  const before = batchCount()
  const answer = await request
  expect(answer.status).toBe(status)
  expect(Object.keys(answer.body ?? {})).toEqual(['errors'])
  expect(errors(answer).join('\n')).toMatch(reason)
  expect(batchCount()).toBe(before)
  return answer
}

describe('the ingest API: POST and PUT', () => {
  it('creates with POST (201 with the ids, in body order), and the read side shows it at once', async () => {
    const created = await send('POST', '/persons', {persons: [alva, elis, rektor, teacher]})
    expect(created).toEqual({status: 201, body: {ids: [alva.id, elis.id, rektor.id, teacher.id]}})
    expect((await get(`/persons/${alva.id}`)).body).toMatchObject({id: alva.id, givenName: alva.givenName})
    expect(listBatches(reader, 's')[0]).toMatchObject({label: 'ingest POST /persons', partial: true})
    expect(writes.at(-1)).toMatchObject({entity: 'Person', method: 'POST', result: {unchanged: false}})
  })

  it('answers 409 for a POSTed id that exists (PUT replaces)', async () => {
    await expectRefusal(send('POST', '/persons', {persons: [saga, alva]}), 409, `persons[1]: Person ${alva.id} exists`)
    expect((await get(`/persons/${saga.id}`)).status).toBe(404)
  })

  it('answers 409 for an eduPersonPrincipalName another person has, stored or in the same body', async () => {
    const [eppn] = alva.eduPersonPrincipalNames as [string]
    await expectRefusal(
      send('PUT', '/persons', {persons: [{...saga, eduPersonPrincipalNames: [eppn.toUpperCase()]}]}),
      409,
      `persons[0]: eduPersonPrincipalName ${eppn.toUpperCase()} belongs to Person ${alva.id}`,
    )
    const twin = {...stranger, eduPersonPrincipalNames: saga.eduPersonPrincipalNames}
    await expectRefusal(send('POST', '/persons', {persons: [saga, twin]}), 409, /persons\[1\]: .* is also Person/)
    // A PUT may move an EPPN from a stored person to another one, when the body replaces the first too.
    const moved = await send('PUT', '/persons', {
      persons: [
        {...alva, eduPersonPrincipalNames: ['alva.new@ekbackeskolan.example']},
        {...saga, eduPersonPrincipalNames: [eppn]},
      ],
    })
    expect(moved).toEqual({status: 201, body: {ids: [alva.id, saga.id]}})
    expect(await send('PUT', '/persons', {persons: [alva, saga]})).toMatchObject({status: 201})
  })

  it('replaces with PUT: meta, reference names and _embedded in the body are ignored, created kept, modified moves', async () => {
    const before = (await get(`/persons/${alva.id}`)).body.meta as {created: string; modified: string}
    const enrolments = (alva.enrolments as Json[]).map((enrolment) => ({
      ...enrolment,
      enroledAt: {id: unit.id, displayName: 'A stale name'},
    }))
    const replaced = await send('PUT', '/persons', {
      persons: [{...alva, givenName: 'Alva Maria', enrolments, meta: {created: 'x'}, _embedded: {duties: []}}],
    })
    expect(replaced).toEqual({status: 201, body: {ids: [alva.id]}})
    const after = (await get(`/persons/${alva.id}`)).body
    expect(after).toMatchObject({givenName: 'Alva Maria', meta: {created: before.created}})
    expect((after.meta as {modified: string}).modified).not.toBe(before.modified)
    expect(after).not.toHaveProperty('_embedded')
    expect((after.enrolments as Json[])[0]!.enroledAt).toEqual({id: unit.id})
    expect(listBatches(reader, 's')[0]).toMatchObject({label: 'ingest PUT /persons', partial: true})
  })

  it('creates with PUT too (an upsert)', async () => {
    expect(await send('PUT', '/duties', {duties: [rektorDuty]})).toEqual({status: 201, body: {ids: [rektorDuty.id]}})
    const meta = (await get(`/duties/${rektorDuty.id}`)).body.meta as {created: string; modified: string}
    expect(meta.created).toBe(meta.modified)
  })

  it('answers 204 to a PUT of an empty list (no ids come back) and stages nothing', async () => {
    const before = batchCount()
    expect(await send('PUT', '/groups', {groups: []})).toEqual({status: 204, body: undefined})
    expect(batchCount()).toBe(before)
  })

  it('answers 400 to a POST or DELETE of an empty list', async () => {
    await expectRefusal(send('POST', '/groups', {groups: []}), 400, 'groups: the list is empty')
    await expectRefusal(send('DELETE', '/groups', {groups: []}), 400, 'groups: the list is empty')
  })
})

describe('the ingest API: what it refuses with 400', () => {
  it('an invalid record, with where and why', async () => {
    const {givenName: _given, ...nameless} = saga
    await expectRefusal(send('POST', '/persons', {persons: [nameless]}), 400, /persons\[0\]: .*givenName/)
  })

  it("the skolverket profile's stricter rules (Group.schoolType, Person EPPNs)", async () => {
    const {schoolType: _schoolType, ...group} = klass
    await expectRefusal(send('POST', '/groups', {groups: [group]}), 400, /groups\[0\]: .*schoolType/)
    await expectRefusal(
      send('PUT', '/persons', {persons: [{...saga, eduPersonPrincipalNames: []}]}),
      400,
      /persons\[0\]: .*eduPersonPrincipalNames/,
    )
  })

  it('the same id twice in one body', async () => {
    await expectRefusal(send('PUT', '/persons', {persons: [saga, saga]}), 400, /persons\[1\]: .*[Dd]uplicate/)
    await expectRefusal(
      send('DELETE', '/persons', {persons: [{id: saga.id}, {id: saga.id}]}),
      400,
      `persons[1]: ${saga.id} is also persons[0]`,
    )
  })

  it('references to a person, group, duty or organisation that does not exist', async () => {
    const cases: Array<[string, Json, string]> = [
      ['/duties', {...teacherDuty, person: {id: missing}}, 'person refers to Person'],
      ['/duties', {...teacherDuty, dutyAt: {id: missing}}, 'dutyAt refers to Organisation'],
      [
        '/groups',
        {...klass, groupMemberships: [{person: {id: missing}}]},
        'groupMemberships/0/person refers to Person',
      ],
      ['/groups', {...klass, organisation: {id: missing}}, 'organisation refers to Organisation'],
      ['/activities', {...activity, groups: [{id: missing}], teachers: []}, 'groups/0 refers to Group'],
      ['/organisations', {...unit, id: missing, parentOrganisation: {id: klass.id}}, 'parentOrganisation refers'],
      ['/persons', {...saga, responsibles: [{person: {id: missing}, relationType: 'Förälder'}]}, 'responsibles/0'],
    ]
    for (const [path, record, reason] of cases) {
      const plural = path.slice(1)
      await expectRefusal(send('POST', path, {[plural]: [record]}), 400, `${plural}[0]: ${reason}`)
    }
    // Only the groups are in place yet, not the teacher's duty.
    expect(await send('POST', '/groups', {groups: [klass]})).toMatchObject({status: 201})
    await expectRefusal(
      send('POST', '/activities', {activities: [activity]}),
      400,
      `activities[0]: teachers/0/duty refers to Duty ${teacherDuty.id}, which does not exist`,
    )
  })

  it('accepts references within the body, to what the ingest cannot write, and between duties and groups', async () => {
    const parent = {...unit, id: '00000000-0000-4000-8000-0000000000a1', schoolUnitCode: '11111111'}
    const child = {...unit, id: '00000000-0000-4000-8000-0000000000a2', schoolUnitCode: '22222222'}
    const created = await send('POST', '/organisations', {
      organisations: [{...child, parentOrganisation: {id: parent.id}}, parent],
    })
    expect(created).toEqual({status: 201, body: {ids: [child.id, parent.id]}})
    // Duty.assignmentRole[].group: duties and groups come in either order (SPEC-NOTES §4).
    const mentor = {
      ...teacherDuty,
      assignmentRole: [{group: {id: missing}, assignmentRoleType: 'Mentor', startDate: '2024-08-19'}],
    }
    expect(await send('PUT', '/duties', {duties: [mentor]})).toMatchObject({status: 201})
    expect(await send('PUT', '/duties', {duties: [teacherDuty]})).toMatchObject({status: 201})
    expect(await send('DELETE', '/organisations', {organisations: [{id: parent.id}, {id: child.id}]})).toMatchObject({
      status: 202,
    })
  })

  it('bodies that are not {"<plural>": [...]} JSON', async () => {
    await expectRefusal(raw('POST', '/persons', '{"persons": [', 'application/json'), 400, 'not valid JSON')
    await expectRefusal(raw('PUT', '/persons', '', 'application/json'), 400, 'The body is empty')
    await expectRefusal(raw('POST', '/persons', JSON.stringify({persons: [saga]}), 'text/plain'), 400, 'text/plain')
    await expectRefusal(raw('POST', '/persons', '<persons/>', 'application/xml'), 400, 'application/json')
    await expectRefusal(raw('DELETE', '/persons', undefined), 400, 'application/json')
    await expectRefusal(send('POST', '/persons', {people: [saga]}), 400, 'an object with people')
    await expectRefusal(send('POST', '/persons', [saga]), 400, 'it is a JSON array')
    // The ingest file's Activities schema requires `data`: a documented slip; the key is `activities`.
    await expectRefusal(send('POST', '/activities', {data: [activity]}), 400, '{"activities": [ … ]}')
    await expectRefusal(send('DELETE', '/groups', {persons: [{id: klass.id}]}), 400, '{"groups": [ … ]}')
    await expectRefusal(send('DELETE', '/groups', {groups: [{id: 'G1'}, klass.id]}), 400, /groups\[1\]: must be/)
    const large = {persons: [{...saga, familyName: 'x'.repeat(70 * 1024)}]}
    await expectRefusal(send('PUT', '/persons', large), 400, 'larger than 65536 bytes')
  })
})

describe('the ingest API: DELETE', () => {
  it('refuses (409) to delete what the scope still refers to, naming the referrers', async () => {
    const refused = await expectRefusal(
      send('DELETE', '/persons', {persons: [{id: elis.id}]}),
      409,
      `Person ${elis.id} is referred to by Group ${klass.id} (groupMemberships/`,
    )
    expect(errors(refused)).toHaveLength(2)
    expect(errors(refused)[1]).toMatch(/^Change or delete the referrers first/)
    // Past a few ids, the referrers are found without the text prefilter.
    await expectRefusal(
      send('DELETE', '/persons', {persons: [...manyMissing, elis.id].map((id) => ({id}))}),
      409,
      `Person ${elis.id} is referred to by Group ${klass.id}`,
    )
    await expectRefusal(send('DELETE', '/organisations', {organisations: [{id: unit.id}]}), 409, 'Person')
    expect((await get(`/persons/${elis.id}`)).status).toBe(200)
  })

  it('deletes (202) once nothing refers to it, and deletedEntities tells it', async () => {
    const memberships = (klass.groupMemberships as Json[]).filter((membership) => {
      return (membership.person as Json).id !== elis.id
    })
    expect(await send('PUT', '/groups', {groups: [{...klass, groupMemberships: memberships}]})).toMatchObject({
      status: 201,
    })
    expect(await send('DELETE', '/persons', {persons: [{id: elis.id}]})).toEqual({
      status: 202,
      body: {message: 'Accepted'},
    })
    expect((await get(`/persons/${elis.id}`)).status).toBe(404)
    expect(listBatches(reader, 's')[0]).toMatchObject({label: 'ingest DELETE /persons', partial: true})
    const deleted = await get('/deletedEntities?after=2000-01-01T00:00:00Z&entities=Person')
    expect(deleted.body).toEqual({data: {persons: [elis.id]}, pageToken: null})
    expect(writes.at(-1)).toMatchObject({entity: 'Person', method: 'DELETE'})
  })

  it('accepts ids the scope does not hold (nothing to delete: 202)', async () => {
    expect(await send('DELETE', '/persons', {persons: [{id: missing}]})).toMatchObject({status: 202})
    expect(await send('DELETE', '/persons', {persons: manyMissing.map((id) => ({id}))})).toMatchObject({status: 202})
  })

  it('takes everything down in the reverse of the upload order', async () => {
    expect(await send('POST', '/activities', {activities: [activity]})).toMatchObject({status: 201})
    const order: Array<[string, Json[]]> = [
      ['activities', [activity]],
      ['duties', [rektorDuty, teacherDuty]],
      ['groups', [klass]],
      ['persons', [alva, saga, rektor, teacher]],
      ['organisations', [unit]],
    ]
    for (const [plural, records] of order) {
      const answer = await send('DELETE', `/${plural}`, {[plural]: records.map(({id}) => ({id}))})
      expect({plural, ...answer}).toEqual({plural, status: 202, body: {message: 'Accepted'}})
    }
    for (const [plural] of order) expect((await get(`/${plural}`)).body.data).toEqual([])
  })
})

describe('the ingest API behind bearer tokens', () => {
  it('answers 403 without a token, in the read API shape, as for any route', async () => {
    const guarded = buildServer({
      db: reader,
      scope: 's',
      tokens: ['t0ken'],
      ingest: {db: writer, profile: 'skolverket', now},
    })
    try {
      const answer = await guarded.inject({method: 'POST', url: '/persons', payload: {persons: [saga]}})
      expect(answer.statusCode).toBe(403)
      expect(answer.json()).toMatchObject({code: 'Forbidden'})
    } finally {
      await guarded.close()
    }
  })
})

describe('the ingest API: eduPersonPrincipalNames as persons change', () => {
  // Persons without references, none of the dataset's; each holds one name.
  const [first, second, third, fourth] = [...generatePersons(4, 123)] as Json[] as [Json, Json, Json, Json]
  const nameOf = (person: Json) => (person.eduPersonPrincipalNames as [string])[0]
  const holding = (person: Json, name: string): Json => ({...person, eduPersonPrincipalNames: [name]})
  const taken = (at: number, name: string, holder: Json) =>
    `persons[${at}]: eduPersonPrincipalName ${name} belongs to Person ${holder.id}.`

  it('frees the names a PUT replaces, and holds the new ones', async () => {
    const old = nameOf(first)
    expect(await send('POST', '/persons', {persons: [first]})).toMatchObject({status: 201})
    await expectRefusal(send('POST', '/persons', {persons: [holding(second, old)]}), 409, taken(0, old, first))
    expect(await send('PUT', '/persons', {persons: [holding(first, 'first.renamed@exempelby.example')]})).toMatchObject(
      {
        status: 201,
      },
    )
    expect(await send('POST', '/persons', {persons: [holding(second, old.toUpperCase())]})).toMatchObject({status: 201})
    await expectRefusal(
      send('POST', '/persons', {persons: [holding(third, 'First.Renamed@exempelby.example')]}),
      409,
      taken(0, 'First.Renamed@exempelby.example', first),
    )
  })

  it('frees the names of the persons a DELETE removes', async () => {
    const old = nameOf(first)
    await expectRefusal(send('PUT', '/persons', {persons: [holding(third, old)]}), 409, taken(0, old, second))
    expect(await send('DELETE', '/persons', {persons: [{id: second.id}]})).toMatchObject({status: 202})
    expect(await send('PUT', '/persons', {persons: [holding(third, old)]})).toMatchObject({status: 201})
  })

  it('sees what another connection wrote to the scope in between', async () => {
    // Another writer (here a connection of this process; test/commands/serve-ingest.test.ts: another process)
    // gives the fourth person the third's name, and the first person a new one.
    const old = nameOf(first)
    writeBatch(reader, {kind: 'import', scope: 's', partial: true, files: [], now}, [
      {entity: 'Person', id: fourth.id, value: holding(fourth, 'fourth.staged@exempelby.example')},
      {entity: 'Person', id: first.id, value: holding(first, 'first.staged@exempelby.example')},
    ])
    await expectRefusal(
      send('POST', '/persons', {persons: [holding(second, 'fourth.staged@exempelby.example')]}),
      409,
      taken(0, 'fourth.staged@exempelby.example', fourth),
    )
    // The first person's name given by the ingest is free again; the third still holds the old one.
    expect(
      await send('POST', '/persons', {persons: [holding(second, 'first.renamed@exempelby.example')]}),
    ).toMatchObject({status: 201})
    await expectRefusal(send('PUT', '/persons', {persons: [holding(first, old)]}), 409, taken(0, old, third))
  })
})
