/**
 * A grid of labelled figures (label above, value below).
 */
import type { ReactNode } from 'react'

/** One labelled figure; `title` explains how it is defined. */
export interface Figure {
  label: string
  value: ReactNode
  title?: string
}

/** Renders figures as a definition list. */
export function Figures({ items, label }: { items: readonly Figure[]; label?: string }) {
  return (
    <dl className="figures" aria-label={label}>
      {items.map((item) => (
        <div className="figure" key={item.label} title={item.title}>
          <dt>{item.label}</dt>
          <dd>{item.value}</dd>
        </div>
      ))}
    </dl>
  )
}
