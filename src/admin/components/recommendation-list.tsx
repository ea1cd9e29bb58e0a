import { Text } from "@medusajs/ui"
import { Link } from "react-router-dom"
import type { RecommendationItem } from "../lib/api"
import { EmptyState } from "./states"

/** A numbered list of recommended products, each linked to Medusa's product page, with its reason. */
export function RecommendationList({ items, empty, name }: { items: RecommendationItem[]; empty: string; name: string }) {
  if (!items.length) return <EmptyState title={empty} />
  return (
    <ol className="flex flex-col divide-y" data-recommendations={name}>
      {items.map((item, i) => (
        <li key={`${item.product_id}:${i}`} className="flex items-center gap-x-3 px-6 py-2" data-product-id={item.product_id}>
          <Text size="xsmall" className="text-ui-fg-muted w-4 shrink-0 tabular-nums">
            {i + 1}
          </Text>
          <div className="bg-ui-bg-component border-ui-border-base h-8 w-6 shrink-0 overflow-hidden rounded border">
            {item.thumbnail ? <img src={item.thumbnail} alt="" className="h-full w-full object-cover" loading="lazy" /> : null}
          </div>
          <div className="flex min-w-0 flex-col">
            <Link
              to={`/products/${encodeURIComponent(item.product_id)}`}
              className="text-ui-fg-base hover:text-ui-fg-interactive truncate txt-compact-small-plus"
              data-product-link={item.product_id}
            >
              {item.title ?? item.product_id}
            </Link>
            {item.reason ? (
              <Text size="xsmall" className="text-ui-fg-subtle truncate" data-reason={item.reason_code ?? undefined}>
                {item.reason}
              </Text>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  )
}
