/**
 * Checks the params of every request before a handler sees them.
 *
 * Params come from another process (and, under `coral-ml ui`, from a
 * browser), so nothing about them is trusted: each method has a hand-written
 * check of types, ranges and allowed keys. The result is a fresh object that
 * holds only the known keys, so a handler never sees an extra field or a
 * prototype trick. Every failure is a one-line `CoralError('InvalidArgument')`.
 */
import { CoralError } from '../errors.js'
import { STRATEGIES } from './contract.js'
import type { CoreMethod, CoreRequests, ParamsOf, Strategy } from './contract.js'

/** Longest path or name accepted, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 4096

/** Most thresholds one `sweep` may ask for (0 to 1 in steps of 0.01). */
export const MAX_SWEEP_THRESHOLDS = 101

/** Largest `batchSize` of a migration, in tensors. */
export const MAX_BATCH_SIZE = 100_000

/** Largest `limit` of `log`, in commits. */
export const MAX_LOG_LIMIT = 1_000_000

/** Backup folder names, e.g. `.coral_backup_20261203_201500` or `..._201500_2`. */
export const BACKUP_ID_PATTERN = /^\.coral_backup_\d{8}_\d{6}(_\d+)?$/

type Fields = Record<string, unknown>
type Validator<M extends CoreMethod> = (fields: Reader) => ParamsOf<M>

const VALIDATORS: { [M in CoreMethod]: Validator<M> } = {
  openRepository: (r) => ({ path: r.path('path') }),
  openDemoRepository: () => ({}),
  detectRepository: (r) => ({ path: r.path('path') }),
  importPythonCoral: (r) => ({ path: r.path('path') }),
  summary: () => ({}),
  log: (r) => optional({}, 'limit', r.optionalInteger('limit', 1, MAX_LOG_LIMIT)),
  listTensors: (r) => optional({}, 'ref', r.optionalText('ref')),
  tensorDetail: (r) => optional({ name: r.text('name') }, 'ref', r.optionalText('ref')),
  analyze: (r) => ({ strategy: r.strategy('strategy'), threshold: r.fraction('threshold') }),
  dryRun: (r) => ({ strategy: r.strategy('strategy'), threshold: r.fraction('threshold') }),
  sweep: (r) => ({ strategy: r.strategy('strategy'), thresholds: r.thresholds('thresholds') }),
  migrate: (r) =>
    optional(
      {
        strategy: r.strategy('strategy'),
        threshold: r.fraction('threshold'),
        backup: r.boolean('backup'),
        dryRun: r.boolean('dryRun'),
        force: r.boolean('force'),
      },
      'batchSize',
      r.optionalInteger('batchSize', 1, MAX_BATCH_SIZE),
    ),
  status: () => ({}),
  validate: (r) => ({ fix: r.boolean('fix') }),
  optimize: () => ({}),
  listBackups: () => ({}),
  createBackup: () => ({}),
  restoreBackup: (r) => ({ id: r.backupId('id') }),
  deleteBackup: (r) => ({ id: r.backupId('id') }),
}

/** The method names of the contract, as a runtime list. */
export const CORE_METHODS = Object.keys(VALIDATORS) as CoreMethod[]

/** True when `name` is a method of the contract. */
export function isCoreMethod(name: unknown): name is CoreMethod {
  return typeof name === 'string' && Object.hasOwn(VALIDATORS, name)
}

/**
 * Validates `params` for `method` and returns a clean copy.
 *
 * Throws `InvalidArgument` for an unknown method, params that are not a plain
 * object, an unknown key, or a value of the wrong type or out of range.
 * `undefined` params count as `{}`, and a key whose value is `undefined`
 * counts as absent (JSON drops such keys; structured clone keeps them).
 */
export function validateParams<M extends CoreMethod>(method: M, params: unknown): ParamsOf<M>
export function validateParams(method: string, params: unknown): unknown
export function validateParams(method: string, params: unknown): unknown {
  if (!isCoreMethod(method)) {
    throw new CoralError('InvalidArgument', `Unknown method ${describe(method)}.`, { method })
  }
  const fields = params === undefined ? {} : params
  if (!isPlainObject(fields)) {
    throw new CoralError('InvalidArgument', `Invalid params for ${method}: expected an object.`, {
      method,
    })
  }
  const reader = new Reader(method, fields)
  const clean = (VALIDATORS[method] as Validator<CoreMethod>)(reader)
  reader.rejectUnknownKeys()
  return clean
}

/** Reads typed fields, remembering which keys were used. */
class Reader {
  private readonly used = new Set<string>()

  constructor(
    private readonly method: keyof CoreRequests,
    private readonly fields: Fields,
  ) {}

  /** A file-system path: non-empty text without NUL. */
  path(key: string): string {
    return this.text(key)
  }

  /** Non-empty text without NUL, at most `MAX_STRING_LENGTH` long. */
  text(key: string): string {
    const value = this.take(key)
    if (typeof value !== 'string') {
      return this.fail(key, 'must be a string', value)
    }
    if (value.length === 0) {
      return this.fail(key, 'must not be empty', value)
    }
    if (value.includes('\0')) {
      return this.fail(key, 'must not contain a NUL character', undefined)
    }
    if (value.length > MAX_STRING_LENGTH) {
      return this.fail(key, `must be at most ${MAX_STRING_LENGTH} characters long`, undefined)
    }
    return value
  }

  optionalText(key: string): string | undefined {
    return this.fields[key] === undefined ? this.skip(key) : this.text(key)
  }

  boolean(key: string): boolean {
    const value = this.take(key)
    return typeof value === 'boolean' ? value : this.fail(key, 'must be true or false', value)
  }

  integer(key: string, min: number, max: number): number {
    const value = this.take(key)
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(key, `must be an integer from ${min} to ${max}`, value)
    }
    return value
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    return this.fields[key] === undefined ? this.skip(key) : this.integer(key, min, max)
  }

  /** A finite number from 0 to 1 inclusive. */
  fraction(key: string): number {
    const value = this.take(key)
    return isFraction(value) ? value : this.fail(key, 'must be a number from 0 to 1', value)
  }

  strategy(key: string): Strategy {
    const value = this.take(key)
    if (typeof value === 'string' && (STRATEGIES as readonly string[]).includes(value)) {
      return value as Strategy
    }
    return this.fail(key, `must be one of ${STRATEGIES.join(', ')}`, value)
  }

  thresholds(key: string): number[] {
    const value = this.take(key)
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SWEEP_THRESHOLDS) {
      return this.fail(key, `must be a list of 1 to ${MAX_SWEEP_THRESHOLDS} numbers`, undefined)
    }
    const bad = value.findIndex((item) => !isFraction(item))
    if (bad !== -1) {
      return this.fail(`${key}[${bad}]`, 'must be a number from 0 to 1', value[bad])
    }
    return [...(value as number[])]
  }

  backupId(key: string): string {
    const value = this.text(key)
    return BACKUP_ID_PATTERN.test(value)
      ? value
      : this.fail(key, 'must be a backup name like .coral_backup_20260101_120000', value)
  }

  /** Throws for the first key no validator asked for. */
  rejectUnknownKeys(): void {
    const extra = Object.keys(this.fields).find(
      (key) => !this.used.has(key) && this.fields[key] !== undefined,
    )
    if (extra !== undefined) {
      throw new CoralError(
        'InvalidArgument',
        `Invalid params for ${this.method}: unknown parameter ${describe(extra)}.`,
        { method: this.method, param: extra },
      )
    }
  }

  private take(key: string): unknown {
    this.used.add(key)
    return Object.hasOwn(this.fields, key) ? this.fields[key] : undefined
  }

  private skip(key: string): undefined {
    this.used.add(key)
    return undefined
  }

  private fail(key: string, problem: string, value: unknown): never {
    const got = value === undefined ? '' : `, got ${describe(value)}`
    throw new CoralError(
      'InvalidArgument',
      `Invalid params for ${this.method}: ${key} ${problem}${got}.`,
      { method: this.method, param: key },
    )
  }
}

function optional<T extends object, K extends string, V>(
  base: T,
  key: K,
  value: V | undefined,
): T & Partial<Record<K, V>> {
  return (value === undefined ? base : { ...base, [key]: value }) as T & Partial<Record<K, V>>
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1
}

function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false
  }
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** A short, safe rendering of a value for an error message. */
function describe(value: unknown): string {
  if (value === null) {
    return 'null'
  }
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value
    return JSON.stringify(shown)
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  return Array.isArray(value) ? 'a list' : `a ${typeof value}`
}
