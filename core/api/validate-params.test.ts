import { describe, expect, it } from 'vitest'
import { CoralError } from '../errors.js'
import { CORE_METHODS, validateParams } from './validate-params.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof CoralError ? error.code : 'not a CoralError'
  }
  return undefined
}

const migrate = {
  strategy: 'kmeans',
  threshold: 0.98,
  backup: true,
  dryRun: false,
  batchSize: 64,
  force: false,
}

describe('api/validate-params', () => {
  it('accepts good params and returns a clean copy', () => {
    const params = { strategy: 'adaptive', threshold: 0.5 }

    const clean = validateParams('analyze', params)

    expect(clean).toEqual(params)
    expect(clean).not.toBe(params)
    expect(validateParams('migrate', migrate)).toEqual(migrate)
    const { batchSize: _, ...automaticBatch } = migrate
    expect(validateParams('migrate', automaticBatch)).toEqual(automaticBatch)
    expect(validateParams('log', {})).toEqual({})
    expect(validateParams('log', { limit: 5 })).toEqual({ limit: 5 })
    expect(validateParams('summary', undefined)).toEqual({})
    expect(validateParams('listTensors', { ref: undefined })).toEqual({})
    expect(validateParams('restoreBackup', { id: '.coral_backup_20261203_201500_2' })).toEqual({
      id: '.coral_backup_20261203_201500_2',
    })
    expect(validateParams('sweep', { strategy: 'dbscan', thresholds: [0, 0.5, 1] })).toEqual({
      strategy: 'dbscan',
      thresholds: [0, 0.5, 1],
    })
  })

  it('knows every method of the contract', () => {
    expect(CORE_METHODS).toHaveLength(19)
  })

  it.each([
    ['unknown method', 'eval', {}],
    ['params not an object', 'summary', 'x'],
    ['params an array', 'summary', []],
    ['unknown key', 'summary', { x: 1 }],
    ['missing path', 'openRepository', {}],
    ['empty path', 'openRepository', { path: '' }],
    ['NUL in path', 'openRepository', { path: 'a\0b' }],
    ['path not a string', 'detectRepository', { path: 3 }],
    ['threshold above 1', 'analyze', { strategy: 'kmeans', threshold: 1.5 }],
    ['threshold below 0', 'dryRun', { strategy: 'kmeans', threshold: -0.1 }],
    ['threshold NaN', 'analyze', { strategy: 'kmeans', threshold: Number.NaN }],
    ['threshold a string', 'analyze', { strategy: 'kmeans', threshold: '0.9' }],
    ['unknown strategy', 'analyze', { strategy: 'random', threshold: 0.9 }],
    ['batchSize 0', 'migrate', { ...migrate, batchSize: 0 }],
    ['batchSize fractional', 'migrate', { ...migrate, batchSize: 1.5 }],
    ['batchSize too large', 'migrate', { ...migrate, batchSize: 100_001 }],
    ['backup not boolean', 'migrate', { ...migrate, backup: 'yes' }],
    ['missing force', 'migrate', { ...migrate, force: undefined }],
    ['too many thresholds', 'sweep', { strategy: 'kmeans', thresholds: new Array(102).fill(0.5) }],
    ['empty thresholds', 'sweep', { strategy: 'kmeans', thresholds: [] }],
    ['bad threshold in list', 'sweep', { strategy: 'kmeans', thresholds: [0.5, 2] }],
    ['log limit 0', 'log', { limit: 0 }],
    ['backup id traversal', 'restoreBackup', { id: '../../etc' }],
    ['backup id suffix', 'deleteBackup', { id: '.coral_backup_20261203_201500/x' }],
    ['fix missing', 'validate', {}],
    ['empty tensor name', 'tensorDetail', { name: '' }],
    ['prototype trick', 'summary', JSON.parse('{"__proto__": {"x": 1}}')],
  ])('rejects %s with InvalidArgument', (_name, method, params) => {
    expect(codeOf(() => validateParams(method, params))).toBe('InvalidArgument')
  })

  it('names the method and parameter in one line', () => {
    expect(() => validateParams('analyze', { strategy: 'kmeans', threshold: 2 })).toThrow(
      'Invalid params for analyze: threshold must be a number from 0 to 1, got 2.',
    )
  })

  it('rejects objects with a foreign prototype', () => {
    expect(codeOf(() => validateParams('summary', new Map()))).toBe('InvalidArgument')
  })
})
