import {describe, expect, it} from 'vitest'

import {languageFromEnv} from '../../../src/i18n/language.js'

describe('languageFromEnv', () => {
  it.each([
    {env: {}, expected: 'en'},
    {env: {LANG: 'sv_SE.UTF-8'}, expected: 'sv'},
    {env: {LANG: 'sv_FI.UTF-8'}, expected: 'sv'},
    {env: {LANG: 'sv'}, expected: 'sv'},
    {env: {LANG: 'sv_SE@euro'}, expected: 'sv'},
    {env: {LANG: 'en_US.UTF-8'}, expected: 'en'},
    {env: {LANG: 'C'}, expected: 'en'},
    {env: {LANG: 'C.UTF-8'}, expected: 'en'},
    {env: {LANG: 'POSIX'}, expected: 'en'},
    {env: {LANG: 'nb_NO.UTF-8'}, expected: 'en'},
    // LC_MESSAGES before LANG
    {env: {LANG: 'en_US.UTF-8', LC_MESSAGES: 'sv_SE.UTF-8'}, expected: 'sv'},
    {env: {LANG: 'sv_SE.UTF-8', LC_MESSAGES: 'C'}, expected: 'en'},
    // LC_ALL before both
    {env: {LANG: 'en_US.UTF-8', LC_MESSAGES: 'en_US.UTF-8', LC_ALL: 'sv_SE.UTF-8'}, expected: 'sv'},
    {env: {LANG: 'sv_SE.UTF-8', LC_MESSAGES: 'sv_SE.UTF-8', LC_ALL: 'C'}, expected: 'en'},
    // set but empty is as not set
    {env: {LANG: 'sv_SE.UTF-8', LC_ALL: ''}, expected: 'sv'},
    {env: {LANG: 'sv_SE.UTF-8', LC_ALL: '', LC_MESSAGES: ''}, expected: 'sv'},
    // other categories do not decide the language of messages
    {env: {LANG: 'en_US.UTF-8', LC_CTYPE: 'sv_SE.UTF-8', LC_TIME: 'sv_SE.UTF-8'}, expected: 'en'},
  ])('$env → $expected', ({env, expected}) => {
    expect(languageFromEnv(env)).toBe(expected)
  })
})
