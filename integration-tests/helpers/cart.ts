/**
 * A minimal sellable shop (region in the store currency, sales channel, one priced product)
 * and carts made through Medusa's own cart workflows, so that Medusa's promotion engine
 * computes the adjustments exactly as it does for the store's cart routes.
 */
import { addToCartWorkflow, createCartWorkflow, createProductsWorkflow, createRegionsWorkflow, createSalesChannelsWorkflow } from "@medusajs/core-flows"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { storeCurrency } from "./store"

export type Shop = { currency: string; region_id: string; sales_channel_id: string; variant_id: string; unit_price: number }

export async function createShop(container: MedusaContainer, { unit_price = 100 } = {}): Promise<Shop> {
  const currency = await storeCurrency(container)
  const suffix = Math.random().toString(36).slice(2, 8)
  const { result: [region] } = await createRegionsWorkflow(container).run({
    input: { regions: [{ name: `Region ${suffix}`, currency_code: currency }] },
  })
  const { result: [channel] } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: `Channel ${suffix}` }] },
  })
  const { result: [product] } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: `Cart product ${suffix}`,
          handle: `cart-product-${suffix}`,
          status: "published",
          options: [{ title: "Size", values: ["One"] }],
          variants: [
            {
              title: "One",
              sku: `CART-${suffix}`,
              options: { Size: "One" },
              manage_inventory: false,
              prices: [{ amount: unit_price, currency_code: currency }],
            },
          ],
          sales_channels: [{ id: channel.id }],
        },
      ],
    },
  })
  return { currency, region_id: region.id, sales_channel_id: channel.id, variant_id: product.variants[0].id, unit_price }
}

export type CartView = {
  id: string
  customer_id: string | null
  item_total: number
  discount_total: number
  total: number
  promotions: { id: string; code: string | null }[]
  items: { id: string; adjustments: { promotion_id: string | null; code: string | null; amount: number }[] }[]
}

/** A customer's cart with one unit of the shop's variant: created empty, then the item added. */
export async function cartWithOneItem(container: MedusaContainer, shop: Shop, customer: { id: string; email: string }) {
  const { result: cart } = await createCartWorkflow(container).run({
    input: {
      region_id: shop.region_id,
      sales_channel_id: shop.sales_channel_id,
      currency_code: shop.currency,
      customer_id: customer.id,
      email: customer.email,
    },
  })
  await addToCartWorkflow(container).run({ input: { cart_id: cart.id, items: [{ variant_id: shop.variant_id, quantity: 1 }] } })
  return readCart(container, cart.id)
}

export async function readCart(container: MedusaContainer, id: string): Promise<CartView> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: [cart] } = await query.graph({
    entity: "cart",
    fields: [
      "id",
      "customer_id",
      "item_total",
      "discount_total",
      "total",
      "promotions.id",
      "promotions.code",
      "items.id",
      "items.adjustments.promotion_id",
      "items.adjustments.code",
      "items.adjustments.amount",
    ],
    filters: { id },
  })
  const num = (v: unknown) => Number(v ?? 0)
  return {
    id: cart.id,
    customer_id: cart.customer_id ?? null,
    item_total: num(cart.item_total),
    discount_total: num(cart.discount_total),
    total: num(cart.total),
    promotions: (cart.promotions ?? []).map((p: any) => ({ id: p.id, code: p.code ?? null })),
    items: (cart.items ?? []).map((i: any) => ({
      id: i.id,
      adjustments: (i.adjustments ?? []).map((a: any) => ({ promotion_id: a.promotion_id ?? null, code: a.code ?? null, amount: num(a.amount) })),
    })),
  }
}
