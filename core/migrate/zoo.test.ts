import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { readSafetensors } from '../formats/safetensors.js'
import { Repository } from '../repo/repository.js'
import type { Tensor } from '../tensor/tensor.js'
import { dryRun, migrate } from './migrate.js'
import { expectBitExact, tempDir } from './test-repos.js'

const LM = path.resolve(import.meta.dirname, '../../../shared/zoo/lm')

describe('migrate/zoo', () => {
  it.skipIf(!fs.existsSync(LM))(
    'migrates 4 real checkpoints bit-exact and as predicted',
    async () => {
      const repo = await Repository.init(tempDir())
      const expected = new Map<string, Map<string, Tensor>>()
      for (const file of fs.readdirSync(LM).sort().slice(0, 4)) {
        const weights = new Map<string, Tensor>()
        for await (const { name, tensor } of readSafetensors(path.join(LM, file)))
          weights.set(name, tensor)
        await repo.stageWeights(weights)
        expected.set((await repo.commit(file)).id, weights)
      }
      const standaloneStore = await repo.objects.totalBytes()
      const plan = await dryRun(repo, { strategy: 'adaptive', threshold: 0.9 })
      expect(plan.prediction.method).toBe('full')
      const report = await migrate(repo, { strategy: 'adaptive', threshold: 0.9 })
      expect(report.validation.ok).toBe(true)
      expect(report.storedBytesAfter).toBeLessThan(standaloneStore)
      expect(Math.abs(report.storedBytesAfter / plan.predictedStoredBytes - 1)).toBeLessThan(0.02)
      expect(await expectBitExact(repo, expected)).toBe(4 * expected.values().next().value!.size)
    },
  )
})
