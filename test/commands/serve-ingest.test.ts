import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeTempDir, runCli, startServe} from '../support/cli.js'
import {generateDataset, generatePersons} from '../support/fictional.js'

type Json = Record<string, unknown> & {id: string}

let temp: {dir: string; cleanup: () => Promise<void>}
let db: string
let url: string
let stop: () => Promise<void>

const unit = generateDataset({persons: 1, staff: 2, schoolUnits: 1}).organisations[0]! as Json
const [ingested, staged, newcomer, other] = [...generatePersons(4, 321)] as Json[] as [Json, Json, Json, Json]
const holding = (person: Json, name: string): Json => ({...person, eduPersonPrincipalNames: [name]})

/** `ss12000 stage` of these records into the served scope, in a process of its own: a full batch replaces the scope. */
async function stageInAnotherProcess(name: string, files: Record<string, Json[]>) {
  const dir = join(temp.dir, name)
  await mkdir(dir)
  for (const [file, records] of Object.entries(files)) await writeFile(join(dir, file), JSON.stringify(records))
  const result = await runCli(['stage', dir, '--db', db, '--scope', 'school'])
  expect(result.exitCode, result.stderr).toBe(0)
}

const send = async (method: string, plural: string, records: unknown[]) => {
  const response = await fetch(`${url}/${plural}`, {
    method,
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({[plural]: records}),
  })
  const text = await response.text()
  return {status: response.status, body: text === '' ? undefined : (JSON.parse(text) as {errors?: string[]})}
}

beforeAll(async () => {
  temp = await makeTempDir('ss12000-serve-ingest-')
  db = join(temp.dir, 'ingest.db')
  await stageInAnotherProcess('first', {'organisations.json': [unit]})
  ;({url, stop} = await startServe(['--db', db, '--port', '0', '--ingest', '--no-auth']))
})
afterAll(async () => {
  await stop()
  await temp.cleanup()
})

describe('serve --ingest while another process stages into its scope', () => {
  it("answers 409 for a name only the other process's batch gave, and frees the names that batch removed", async () => {
    expect(await send('POST', 'persons', [holding(ingested, 'ingrid@exempelby.example')])).toMatchObject({status: 201})
    // The other process stages the scope anew: the ingested person is gone, the staged one holds a name.
    await stageInAnotherProcess('second', {
      'organisations.json': [unit],
      'persons.json': [holding(staged, 'staffan@exempelby.example')],
    })
    // A write of another collection in between does not make the server take its names for current.
    expect(await send('PUT', 'organisations', [unit])).toMatchObject({status: 201})
    const refused = await send('POST', 'persons', [holding(newcomer, 'Staffan@Exempelby.example')])
    expect(refused).toEqual({
      status: 409,
      body: {errors: [`persons[0]: eduPersonPrincipalName Staffan@Exempelby.example belongs to Person ${staged.id}.`]},
    })
    expect(await send('POST', 'persons', [holding(newcomer, 'ingrid@exempelby.example')])).toMatchObject({status: 201})
    expect(await send('POST', 'persons', [holding(other, 'ingrid@exempelby.example')])).toMatchObject({status: 409})
  })
})
