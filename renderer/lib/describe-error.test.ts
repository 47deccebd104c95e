import { describe, expect, it } from 'vitest'
import { describeError } from './describe-error'

describe('lib/describe-error', () => {
  it('maps a locked repository to advice on what to do next, keeping the core message', () => {
    const error = Object.assign(new Error('/repos/demo is locked by pid 42'), {
      code: 'RepoLocked',
    })

    const described = describeError(error)

    expect(described.code).toBe('RepoLocked')
    expect(described.severity).toBe('error')
    expect(described.advice).toMatch(/Another Coral process/)
    expect(described.detail).toBe('/repos/demo is locked by pid 42')
  })

  it('treats Cancelled as information, not an error', () => {
    expect(describeError({ code: 'Cancelled', message: 'cancelled' }).severity).toBe('info')
  })

  it('maps unknown codes and plain errors to Unknown', () => {
    expect(describeError({ code: 'Nope', message: 'x' }).code).toBe('Unknown')
    expect(describeError(new Error('boom')).code).toBe('Unknown')
    expect(describeError('text').detail).toBe('text')
  })

  it('maps corrupt objects to running Validate', () => {
    expect(describeError({ code: 'ObjectCorrupt', message: '' }).advice).toMatch(/Validate/)
  })
})
