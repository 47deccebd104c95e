import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setBridge } from '../../lib/current-bridge'
import { createFakeBridge, type FakeBridge } from '../../test/fake-bridge'
import { makeDryRun } from '../../test/fixtures'
import { resetStores } from '../../test/reset-stores'
import { PREVIEW_DEBOUNCE_MS } from '../../stores/tuning-store'
import { TuningScreen } from './tuning-screen'

describe('features/tuning/tuning-screen', () => {
  let fake: FakeBridge

  beforeEach(() => {
    vi.useFakeTimers()
    fake = createFakeBridge()
    setBridge(fake)
  })
  afterEach(() => {
    cleanup()
    resetStores()
    vi.useRealTimers()
  })

  it('labels the slider "Threshold" and shows its definition', () => {
    render(<TuningScreen />)

    const slider = screen.getByRole('slider', { name: 'Threshold' })
    expect(slider.getAttribute('min')).toBe('0.5')
    expect(slider.getAttribute('max')).toBe('1')
    expect(slider.getAttribute('step')).toBe('0.005')
    expect(slider.getAttribute('aria-describedby')).toBeTruthy()
    expect(
      screen.getByText(/minimum cosine similarity between a member and its cluster reference/i),
    ).toBeTruthy()
  })

  it('debounces the dry run and sends only the last value', async () => {
    render(<TuningScreen />)
    const slider = screen.getByRole('slider', { name: 'Threshold' })

    fireEvent.change(slider, { target: { value: '0.85' } })
    await act(async () => vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS - 50))
    fireEvent.change(slider, { target: { value: '0.92' } })
    await act(async () => vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS - 1))

    expect(fake.callsOf('dryRun')).toHaveLength(0)
    await act(async () => vi.advanceTimersByTime(1))
    expect(fake.callsOf('dryRun')).toHaveLength(1)
    expect(fake.last('dryRun').params).toEqual({ strategy: 'adaptive', threshold: 0.92 })
  })

  it('cancels the preview in flight as soon as the value changes', async () => {
    render(<TuningScreen />)
    const slider = screen.getByRole('slider', { name: 'Threshold' })
    fireEvent.change(slider, { target: { value: '0.85' } })
    await act(async () => vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS))
    const first = fake.last('dryRun')

    fireEvent.change(slider, { target: { value: '0.95' } })

    expect(first.cancelled).toBe(true)
    await act(async () => vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS))
    const second = fake.last('dryRun')
    expect(second).not.toBe(first)
    expect(second.cancelled).toBe(false)
    expect(second.params.threshold).toBe(0.95)
    // The superseded request's cancellation is not an error for the user.
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('"Preview" runs at once and shows the predicted figures from the core', async () => {
    render(<TuningScreen />)

    fireEvent.click(screen.getByRole('button', { name: 'Preview' }))
    expect(fake.callsOf('dryRun')).toHaveLength(1)
    await act(async () =>
      fake
        .last('dryRun')
        .resolve(makeDryRun({ predictedStoredBytes: 2_500_000, estimatedReduction: 0.3243 })),
    )

    expect(screen.getByText('2.50 MB')).toBeTruthy()
    expect(screen.getByText('32.4%')).toBeTruthy()
    expect(screen.getByText(/every tensor encoded/)).toBeTruthy()
  })

  it('shows the preview progress with a Cancel button that cancels it', async () => {
    render(<TuningScreen />)
    fireEvent.click(screen.getByRole('button', { name: 'Preview' }))

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))

    expect(fake.last('dryRun').cancelled).toBe(true)
  })
})
