import {describe, expect, it} from 'vitest'

import {configPath, parseConfig, renderConfig, schoolYearAround, SECRET_ENV} from '../../../src/config/config.js'
import {UsageError} from '../../../src/errors.js'

const SECRET = 'ab'.repeat(32)
const valid = renderConfig({
  createdOn: '2026-11-27',
  organisationName: 'Exempelby kommun',
  organisationNumber: '212000-0142',
  namespace: '6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f',
  secret: SECRET,
  termStart: '2026-08-17',
  termEnd: '2027-06-11',
  schoolTypes: ['FKLASS', 'GR'],
})

describe('parseConfig', () => {
  it('reads what init renders', () => {
    expect(parseConfig(valid, 'ss12000.config.yaml', {})).toEqual({
      version: 1,
      organisation: {name: 'Exempelby kommun', organisationNumber: '212000-0142'},
      ids: {namespace: '6f1c2a4e-8b3d-4c5e-9f60-7a8b9c0d1e2f', secret: SECRET},
      term: {start: '2026-08-17', end: '2027-06-11'},
      defaults: {schoolTypes: ['FKLASS', 'GR']},
    })
  })

  it(`takes the secret from ${SECRET_ENV}`, () => {
    const other = 'cd'.repeat(32)
    expect(parseConfig(valid, 'c.yaml', {[SECRET_ENV]: other}).ids.secret).toBe(other)
  })

  it.each([
    {name: 'YAML syntax', text: 'version: 1\norganisation: [\n', message: /^c\.yaml:3:1: /},
    {
      name: 'unknown setting',
      text: valid.replace('term:', 'terms:'),
      message: /c\.yaml:19:1: terms: unknown setting/,
    },
    {
      name: 'missing name',
      text: valid.replace('  name: "Exempelby kommun"\n', ''),
      message: /organisation: missing setting "name"/,
    },
    {
      name: 'bad namespace',
      text: valid.replace('6f1c2a4e-8b3d', 'nope'),
      message: /c\.yaml:13:3: ids\.namespace: must match format "uuid"/,
    },
    {
      name: 'short secret',
      text: valid.replace(SECRET, 'abc'),
      message: /ids\.secret: must be at least 64 hexadecimal characters/,
    },
    {
      name: 'impossible date',
      text: valid.replace('2026-08-17', '2026-02-30'),
      message: /c\.yaml:22:3: term\.start: must match format "date"/,
    },
    {
      name: 'term upside down',
      text: valid.replace('2027-06-11', '2026-06-11'),
      message: /term\.start \(2026-08-17\) is after term\.end/,
    },
    {
      name: 'bad organisationsnummer',
      text: valid.replace('212000-0142', '212000-0143'),
      message: /organisationNumber is not a valid organisationsnummer/,
    },
    {
      name: 'unknown school type',
      text: valid.replace('[FKLASS, GR]', '[FKLASS, FSK]'),
      message: /defaults\.schoolTypes\.1: must be one of "FS", "FKLASS"/,
    },
  ])('refuses $name with file:line:column', ({text, message}) => {
    expect(() => parseConfig(text, 'c.yaml', {})).toThrow(UsageError)
    expect(() => parseConfig(text, 'c.yaml', {})).toThrow(message)
  })
})

describe('the remote section', () => {
  const remote = `
remote:
  url: https://skola.example.se/v2.0
  tokenUrl: https://idp.example.se/oauth2/token
  clientId: ss12000-toolkit
  scope: ss12000.read
  tokenEndpointAuthMethod: client_secret_post
`

  it('is optional, and read when there', () => {
    expect(parseConfig(valid, 'c.yaml', {}).remote).toBeUndefined()
    expect(parseConfig(valid + remote, 'c.yaml', {}).remote).toEqual({
      url: 'https://skola.example.se/v2.0',
      tokenUrl: 'https://idp.example.se/oauth2/token',
      clientId: 'ss12000-toolkit',
      scope: 'ss12000.read',
      tokenEndpointAuthMethod: 'client_secret_post',
    })
  })

  it.each([
    {
      name: 'a client secret',
      text: `${valid}${remote}  clientSecret: hunter2\n`,
      message: /^c\.yaml:35:3: remote\.clientSecret: a credential does not belong in the configuration file\.$/,
    },
    {name: 'a token', text: `${valid}\nremote:\n  token: abc\n`, message: /^c\.yaml:30:3: remote\.token: a credential/},
    {
      name: 'an unknown auth method',
      text: remote.replace('client_secret_post', 'private_key_jwt'),
      message: /remote\.tokenEndpointAuthMethod: must be/,
    },
    {
      name: 'a URL that is not one',
      text: remote.replace('https://skola.example.se/v2.0', 'skola'),
      message: /remote\.url: must match format "uri"/,
    },
  ])('refuses $name', ({text, message}) => {
    const full = text.startsWith(valid) ? text : valid + text
    expect(() => parseConfig(full, 'c.yaml', {})).toThrow(UsageError)
    expect(() => parseConfig(full, 'c.yaml', {})).toThrow(message)
  })

  it('points a credential to its environment variable, without repeating it', () => {
    try {
      parseConfig(`${valid}${remote}  clientSecret: hunter2\n`, 'c.yaml', {})
      expect.unreachable()
    } catch (error) {
      expect((error as UsageError).actions).toEqual([
        'Remove it from c.yaml and give it in SS12000_CLIENT_SECRET instead.',
      ])
      expect(JSON.stringify([(error as Error).message, (error as UsageError).actions])).not.toContain('hunter2')
    }
  })
})

describe('configPath', () => {
  it.each([
    {flag: 'my.yaml', env: {}, expected: '/w/my.yaml'},
    {flag: undefined, env: {SS12000_CONFIG: '/etc/ss12000.yaml'}, expected: '/etc/ss12000.yaml'},
    {flag: undefined, env: {}, expected: '/w/ss12000.config.yaml'},
  ])('$flag $env → $expected', ({flag, env, expected}) => {
    expect(configPath(flag, env, '/w')).toBe(expected)
  })
})

describe('schoolYearAround', () => {
  it.each([
    {today: '2026-11-27', expected: {start: '2026-08-15', end: '2027-06-15'}},
    {today: '2027-03-01', expected: {start: '2026-08-15', end: '2027-06-15'}},
    {today: '2027-07-01', expected: {start: '2027-08-15', end: '2028-06-15'}},
  ])('$today', ({today, expected}) => {
    expect(schoolYearAround(today)).toEqual(expected)
  })
})
