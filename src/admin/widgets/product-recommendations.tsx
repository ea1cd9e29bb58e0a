import { defineWidgetConfig } from "@medusajs/admin-sdk"
import { Container, Heading, Text } from "@medusajs/ui"
import { RecommendationList } from "../components/recommendation-list"
import { EmptyState, ErrorState, LoadingState, SafeBoundary } from "../components/states"
import { useProductRecommendations } from "../lib/api"

type WidgetProps = { data?: { id?: string } | null }

function Body({ productId }: { productId: string }) {
  const q = useProductRecommendations(productId, 10)
  if (q.isLoading) return <LoadingState rows={4} />
  if (q.isError || !q.data) return <ErrorState error={q.error} title="Could not load the product's recommendations" onRetry={() => void q.refetch()} />
  if (!q.data.version_id) {
    return <EmptyState title="No model version is active yet" description="The lists appear after the first activated training run." />
  }
  return (
    <div className="grid grid-cols-1 divide-y">
      <div className="flex flex-col" data-section="related">
        <div className="px-6 pb-2 pt-4">
          <Text size="small" leading="compact" weight="plus">
            Related products
          </Text>
          <Text size="xsmall" className="text-ui-fg-subtle">
            Shown on this product's page: products the same customers buy.
          </Text>
        </div>
        <RecommendationList items={q.data.related} empty="No related products for this product yet" name="related" />
      </div>
      <div className="flex flex-col" data-section="bought-together">
        <div className="px-6 pb-2 pt-4">
          <Text size="small" leading="compact" weight="plus">
            Frequently bought together
          </Text>
          <Text size="xsmall" className="text-ui-fg-subtle">
            Products that were in the same orders as this one.
          </Text>
        </div>
        <RecommendationList items={q.data.bought_together} empty="Not bought together with other products yet" name="bought-together" />
      </div>
    </div>
  )
}

const ProductRecommendationsWidget = ({ data }: WidgetProps) => (
  <Container className="divide-y p-0" data-widget="personalization-product">
    <div className="px-6 py-4">
      <Heading level="h2">Recommendations</Heading>
    </div>
    <SafeBoundary>{data?.id ? <Body productId={data.id} /> : <EmptyState title="No product" />}</SafeBoundary>
  </Container>
)

export const config = defineWidgetConfig({
  zone: "product.details.after",
  id: "personalization:product-recommendations",
})

export default ProductRecommendationsWidget
