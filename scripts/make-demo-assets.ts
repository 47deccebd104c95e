/**
 * Regenerates assets/demo/: a small slice of real training checkpoints that
 * the app and `npm start` build the demo repository from.
 *
 * Source: ../shared/zoo/lm-bf16 (a character transformer's checkpoints in
 * bfloat16). Kept: five checkpoints and the tensors that are small but varied
 * (attention output projections, layer norms, embeddings, head); dropped: the
 * large MLP and input-projection matrices, to keep the folder near 1 MB.
 *
 * Usage: node dist/scripts/make-demo-assets.js
 */
import path from 'node:path'

import { readWeightFile } from '../core/formats/weight-file.js'
import { writeSafetensors } from '../core/formats/safetensors.js'
import type { Tensor } from '../core/tensor/tensor.js'

const ZOO = path.resolve(import.meta.dirname, '../../../shared/zoo/lm-bf16')
const OUT = path.resolve(import.meta.dirname, '../../assets/demo')
const STEPS = ['0030', '0090', '0150', '0240', '0360']
const DROPPED = /\.(mlp\.[02]\.weight|attn\.in_proj_weight)$/

for (const step of STEPS) {
  const entries: [string, Tensor][] = []
  for await (const { name, tensor } of readWeightFile(
    path.join(ZOO, `base-step${step}.safetensors`),
  )) {
    if (!DROPPED.test(name)) entries.push([name, tensor])
  }
  await writeSafetensors(path.join(OUT, `step${step}.safetensors`), entries, {
    source: `zoo/lm-bf16/base-step${step}`,
  })
  console.log(`step${step}.safetensors: ${entries.length} tensors`)
}
