import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TensorDetail } from '../../../core/api/contract'
import { App } from '../../app'
import { setBridge } from '../../lib/current-bridge'
import { useAnalysisStore } from '../../stores/analysis-store'
import { useAppStore } from '../../stores/app-store'
import { useRepoStore } from '../../stores/repo-store'
import { createFakeBridge, type FakeBridge } from '../../test/fake-bridge'
import { makeDryRun, makeSummary } from '../../test/fixtures'
import { resetStores } from '../../test/reset-stores'

const COMMIT = '1'.repeat(64)
const REFERENCE = 'b'.repeat(64)

/** A clustered F32 tensor: 8,192 values stored as a 2,048-byte delta. */
function clusteredDetail(overrides: Partial<TensorDetail> = {}): TensorDetail {
  return {
    name: 'layer1.weight',
    id: 'a'.repeat(64),
    dtype: 'F32',
    shape: [128, 64],
    byteLength: 32_768,
    commit: COMMIT,
    stats: { min: -0.25, max: 0.5, mean: 0.001, std: 0.05, zeros: 3, nans: 0, infinities: 0 },
    histogram: { edges: [-0.25, 0, 0.25, 0.5], counts: [4_000, 4_000, 192] },
    storage: { kind: 'delta', storedBytes: 2_048, referenceId: REFERENCE, similarity: 0.99871 },
    ...overrides,
  }
}

/** The value shown for `label` in the figure list named `list`. */
function figure(list: string, label: string): string | null {
  for (const item of document.querySelectorAll(`dl[aria-label="${list}"] > .figure`)) {
    if (item.querySelector('dt')?.textContent === label) {
      return item.querySelector('dd')?.textContent ?? null
    }
  }
  return null
}

describe('features/tensor/tensor-screen', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    useRepoStore.setState({ summary: makeSummary() })
  })
  afterEach(() => {
    cleanup()
    resetStores()
  })

  it('shows dtype, shape, statistics, a histogram, and the reference and delta size', async () => {
    render(<App />)
    await act(async () => useAppStore.getState().openTensor('layer1.weight'))

    await act(async () => fake.last('tensorDetail').resolve(clusteredDetail()))

    expect(fake.last('tensorDetail').params).toEqual({ name: 'layer1.weight' })
    expect(figure('Tensor', 'Dtype')).toBe('F32')
    expect(figure('Tensor', 'Shape')).toBe('[128, 64]')
    expect(figure('Statistics', 'Max')).toBe('0.5')
    expect(figure('Storage', 'Stored as')).toBe('delta against a cluster reference')
    expect(figure('Storage', 'Delta bytes')).toBe('2,048 B')
    expect(figure('Storage', 'Stored / raw')).toBe('6.3%')
    expect(figure('Storage', 'Reference')).toBe(REFERENCE.slice(0, 12))
    expect(figure('Storage', 'Similarity to reference')).toBe('0.9987')
    expect(screen.getByText('Histogram of finite values')).toBeTruthy()
  })

  it('shows a standalone tensor without a reference', async () => {
    render(<App />)
    await act(async () => useAppStore.getState().openTensor('layer1.weight'))

    await act(async () =>
      fake.last('tensorDetail').resolve(
        clusteredDetail({
          storage: { kind: 'standalone', storedBytes: 30_000, referenceId: null, similarity: null },
        }),
      ),
    )

    expect(figure('Storage', 'Stored as')).toBe('standalone')
    expect(figure('Storage', 'Stored bytes')).toBe('30.0 KB')
    expect(figure('Storage', 'Reference')).toBeNull()
  })

  it('opens from a cluster member at its commit, and goes back to Analysis', async () => {
    const plan = makeDryRun()
    const cluster = plan.clusters[0]!
    const member = cluster.members[0]!
    useAnalysisStore.setState({ plan })
    useAppStore.setState({ screen: 'analysis' })
    render(<App />)
    await act(async () => useAnalysisStore.getState().selectCluster(cluster.id))

    const inspector = screen.getByRole('region', { name: 'Cluster 1' })
    fireEvent.click(within(inspector).getAllByRole('button', { name: member.names[0] })[0]!)
    await act(async () =>
      fake
        .last('tensorDetail')
        .resolve(clusteredDetail({ name: member.names[0]!, commit: member.commits[0]! })),
    )

    expect(fake.last('tensorDetail').params).toEqual({
      name: member.names[0],
      ref: member.commits[0],
    })
    expect(screen.getByRole('heading', { level: 1, name: member.names[0] })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '← Analysis' }))
    expect(screen.getByRole('heading', { level: 1, name: 'Analysis' })).toBeTruthy()
  })
})
