import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

import type {FastifyInstance} from 'fastify'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildServer} from '../../../src/server/app.js'
import {openStagingDatabase, type StagingDatabase} from '../../../src/staging/database.js'
import {listBatches} from '../../../src/staging/read.js'
import {writeBatch} from '../../../src/staging/batches.js'
import {makeTempDir} from '../../support/cli.js'
import {generateDataset} from '../../support/fictional.js'

let temp: {dir: string; cleanup: () => Promise<void>}
let reader: StagingDatabase
let writer: StagingDatabase
let app: FastifyInstance
let base: string
let clock = 0
const now = () => `2026-11-27T12:${String(clock++).padStart(2, '0')}:00+01:00`
const dataset = generateDataset({persons: 3, staff: 1, schoolUnits: 1})
const unit = dataset.organisations[0]!
const [alva, elis, saga] = dataset.persons as Array<Record<string, unknown> & {id: string}>

beforeAll(async () => {
  temp = await makeTempDir('ss12000-ingest-')
  const path = join(temp.dir, 'ingest.db')
  reader = openStagingDatabase(path)
  writeBatch(reader, {kind: 'import', scope: 's', partial: false, files: [], now}, [
    {entity: 'Organisation', id: unit.id, value: unit},
  ])
  writer = openStagingDatabase(path)
  app = buildServer({db: reader, scope: 's', ingest: {db: writer, profile: 'ss12000-2020', now}})
  await app.listen({host: '127.0.0.1', port: 0})
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await app.close()
  reader.close()
  writer.close()
  await temp.cleanup()
})

const send = async (method: string, path: string, body: unknown) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  })
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}
const get = async (path: string) => {
  const response = await fetch(`${base}${path}`)
  return {status: response.status, body: (await response.json()) as Record<string, unknown>}
}

describe('the ingest API (work in progress)', () => {
  it('creates with POST (201 with the ids), and the read side shows it at once', async () => {
    const created = await send('POST', '/persons', {persons: [alva, elis]})
    expect(created).toEqual({status: 201, body: {ids: [alva!.id, elis!.id]}})
    expect((await get(`/persons/${alva!.id}`)).body).toMatchObject({id: alva!.id, givenName: alva!.givenName})
    expect(listBatches(reader, 's')[0]).toMatchObject({label: 'ingest POST /persons', partial: true})
  })

  it('answers 409 for an id that exists on POST, or an eduPersonPrincipalName another person has', async () => {
    expect((await send('POST', '/persons', {persons: [alva]})).status).toBe(409)
    const eppns = alva!.eduPersonPrincipalNames as string[]
    expect(eppns.length).toBeGreaterThan(0)
    const clash = await send('PUT', '/persons', {persons: [{...saga, eduPersonPrincipalNames: eppns}]})
    expect(clash.status).toBe(409)
    expect(String((clash.body.errors as string[])[0])).toContain(`belongs to Person ${alva!.id}`)
  })

  it('replaces with PUT, and modified moves on', async () => {
    const before = (await get(`/persons/${alva!.id}`)).body.meta as {created: string; modified: string}
    const replaced = await send('PUT', '/persons', {
      persons: [{...alva, givenName: 'Alva Maria', meta: {created: 'x'}}],
    })
    expect(replaced.status).toBe(201)
    const after = (await get(`/persons/${alva!.id}`)).body
    expect(after).toMatchObject({givenName: 'Alva Maria', meta: {created: before.created}})
    expect((after.meta as {modified: string}).modified).not.toBe(before.modified)
  })

  it('answers 400 with reasons for invalid records, dangling references and bodies without the plural key', async () => {
    const invalid = await send('POST', '/persons', {persons: [{...saga, givenName: undefined}]})
    expect(invalid.status).toBe(400)
    expect(String((invalid.body.errors as string[])[0])).toContain('givenName')
    const duty = {
      id: '00000000-0000-4000-8000-00000000d001',
      person: {id: '00000000-0000-4000-8000-000000000404'},
      dutyAt: {id: unit.id},
      dutyRole: 'Lärare',
      startDate: '2026-08-17',
    }
    const dangling = await send('POST', '/duties', {duties: [duty]})
    expect(dangling.status).toBe(400)
    expect(String((dangling.body.errors as string[])[0])).toContain('does not exist')
    expect((await send('POST', '/persons', {people: [saga]})).status).toBe(400)
  })

  it('deletes with DELETE (202), and deletedEntities tells it', async () => {
    expect(await send('DELETE', '/persons', {persons: [{id: elis!.id}]})).toEqual({
      status: 202,
      body: {message: 'Accepted'},
    })
    expect((await get(`/persons/${elis!.id}`)).status).toBe(404)
    const deleted = await get('/deletedEntities?after=2000-01-01T00:00:00Z&entities=Person')
    expect(deleted.body).toEqual({data: {persons: [elis!.id]}, pageToken: null})
  })
})
