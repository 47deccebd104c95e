import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration, formatPercent, formatShape } from './format'

describe('lib/format', () => {
  it('shows exact bytes with a separator below 10,000 B', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1234)).toBe('1,234 B')
    expect(formatBytes(9999)).toBe('9,999 B')
  })

  it('shows three significant digits in powers of 1000 above that', () => {
    expect(formatBytes(12_345)).toBe('12.3 KB')
    expect(formatBytes(123_456)).toBe('123 KB')
    expect(formatBytes(4_560_000)).toBe('4.56 MB')
    expect(formatBytes(7_890_000_000)).toBe('7.89 GB')
  })

  it('moves to the next unit when rounding reaches 1000', () => {
    expect(formatBytes(999_999)).toBe('1.00 MB')
    expect(formatBytes(999_499)).toBe('999 KB')
  })

  it('keeps the sign of negative sizes and rejects non-finite ones', () => {
    expect(formatBytes(-12_345)).toBe('-12.3 KB')
    expect(formatBytes(Number.NaN)).toBe('—')
  })

  it('shows fractions as percents with one decimal', () => {
    expect(formatPercent(0.4567)).toBe('45.7%')
    expect(formatPercent(0)).toBe('0.0%')
    expect(formatPercent(-0.05)).toBe('-5.0%')
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('—')
  })

  it('formats durations and shapes', () => {
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(185_000)).toBe('3 min 05 s')
    expect(formatDuration(3_720_000)).toBe('1 h 02 min')
    expect(formatShape([128, 64])).toBe('[128, 64]')
    expect(formatShape([])).toBe('[] (scalar)')
  })
})
