/**
 * Chart colours.
 *
 * SVG presentation attributes cannot read CSS variables, so the palette is
 * here; the mid-tone hues read on both light and dark backgrounds.
 */

/** Colours for clusters, cycled by cluster index. */
export const CLUSTER_COLORS: readonly string[] = [
  '#2f7ed8',
  '#e4572e',
  '#17a589',
  '#a05cc8',
  '#e0a010',
  '#d0457c',
  '#4aa3a3',
  '#8c6d31',
  '#5b8c2a',
  '#c46a2b',
]

/** Colour of standalone tensors and other neutral series. */
export const NEUTRAL_COLOR = '#8a8f98'

/** Primary series colour. */
export const PRIMARY_COLOR = '#2f7ed8'

/** Secondary series colour. */
export const SECONDARY_COLOR = '#e4572e'

/** Colour of cluster number `index` (cycling). */
export function clusterColor(index: number): string {
  return CLUSTER_COLORS[index % CLUSTER_COLORS.length] ?? NEUTRAL_COLOR
}
