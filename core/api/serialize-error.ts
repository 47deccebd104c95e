/**
 * The wire form of a failure.
 *
 * Expected errors cross without a stack (it would only leak paths of the
 * install into the UI); `Internal` errors keep theirs, because they are bugs
 * and the stack is what a bug report needs.
 */
import { toCoralError } from '../errors.js'
import type { SerializedError } from '../errors.js'

/** Serializes any thrown value for a `response` envelope. */
export function serializeError(error: unknown): SerializedError {
  const serialized = toCoralError(error).toJSON()
  if (serialized.code !== 'Internal') {
    delete serialized.stack
  }
  return serialized
}
