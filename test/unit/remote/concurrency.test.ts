import {afterEach, describe, expect, it} from 'vitest'

import {Ss12000Client} from '../../../src/remote/client.js'
import {Semaphore} from '../../../src/remote/semaphore.js'
import {sendJson, startTestServer, type TestServer} from '../../support/test-server.js'

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('bounded concurrency', () => {
  it('keeps at most `concurrency` requests in flight across collections', async () => {
    const held: Array<() => void> = []
    let inFlight = 0
    let most = 0
    let answered = 0
    let releasing = false
    const total = 7
    server = await startTestServer((request, response) => {
      inFlight++
      most = Math.max(most, inFlight)
      held.push(() => {
        inFlight--
        answered++
        sendJson(response, 200, {data: [], path: request.path})
      })
      // Answer in pairs: when the client has two out (or the last one), let them go a moment later. A client that sent
      // more at once would be seen with more in flight in that moment. (The moment only gives a broken client time to
      // show itself; a correct one gives the same result however long it is.)
      if ((held.length >= 2 || answered + held.length === total) && !releasing) {
        releasing = true
        setTimeout(() => {
          releasing = false
          for (const release of held.splice(0)) release()
        }, 20)
      }
    })
    const client = new Ss12000Client({baseUrl: `${server.origin}/v2.0`, concurrency: 2})
    const collections = ['persons', 'groups', 'duties', 'organisations', 'activities', 'placements', 'rooms']
    const answers = await Promise.all(collections.map((collection) => client.getJson(collection)))
    expect(answers.map((answer) => (answer as {path: string}).path)).toEqual(collections.map((name) => `/v2.0/${name}`))
    expect(most).toBe(2)
  })
})

describe('Semaphore', () => {
  it('hands slots over in order and ignores a second release', async () => {
    const semaphore = new Semaphore(1)
    const order: string[] = []
    const first = await semaphore.acquire()
    const second = semaphore.acquire().then((release) => {
      order.push('second')
      return release
    })
    const third = semaphore.acquire().then((release) => {
      order.push('third')
      release()
    })
    first()
    first()
    ;(await second)()
    await third
    expect(order).toEqual(['second', 'third'])
    expect(() => new Semaphore(0)).toThrow(RangeError)
  })
})
