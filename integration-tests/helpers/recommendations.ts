/**
 * A store worth recommending for: two product blocks (tea, coffee) that their customers buy
 * together, a draft product and a product of another sales channel that the tea customers
 * also buy (the routes must never show them), a publishable key per channel, and a region
 * in the store currency so products come back priced.
 */
import { batchLinkProductsToCategoryWorkflow, createApiKeysWorkflow, createProductCategoriesWorkflow, createProductsWorkflow, createRegionsWorkflow, createSalesChannelsWorkflow, linkSalesChannelsToApiKeyWorkflow } from "@medusajs/core-flows"
import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import jwt from "jsonwebtoken"
import { runRebuild } from "../../src/workflows/runs"
import { pg, storeCurrency } from "./store"

export type RecommendableStore = Awaited<ReturnType<typeof seedRecommendableStore>>

export async function seedRecommendableStore(container: MedusaContainer) {
  const currency = await storeCurrency(container)
  const { result: [region] } = await createRegionsWorkflow(container).run({ input: { regions: [{ name: "Rec region", currency_code: currency }] } })
  const { result: [main, other] } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Main channel" }, { name: "Other channel" }] },
  })
  const { result: [mainKey, otherKey] } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Main", type: "publishable", created_by: "test" }, { title: "Other", type: "publishable", created_by: "test" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: mainKey.id, add: [main.id] } })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: otherKey.id, add: [other.id] } })

  const product = (title: string, channel: string, status: "published" | "draft" = "published") => ({
    title,
    handle: title.toLowerCase().replace(/\W+/g, "-"),
    status,
    options: [{ title: "Size", values: ["One"] }],
    variants: [{ title: "One", sku: `SKU-${title}`, options: { Size: "One" }, manage_inventory: false, prices: [{ amount: 10, currency_code: currency }] }],
    sales_channels: [{ id: channel }],
  })
  const titles = ["Tea 1", "Tea 2", "Tea 3", "Tea 4", "Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4", "Mug", "Spoon"]
  const { result: created } = await createProductsWorkflow(container).run({
    input: {
      products: [
        ...titles.map((t) => product(t, main.id)),
        product("Draft teapot", main.id, "draft"),
        product("Other-channel kettle", other.id),
      ],
    },
  })
  const byTitle = Object.fromEntries(created.map((p) => [p.title, p]))
  const id = (t: string) => byTitle[t].id
  const { result: [coffeeCategory, hiddenCategory] } = await createProductCategoriesWorkflow(container).run({
    input: {
      product_categories: [
        { name: "Coffee", is_active: true, is_internal: false },
        { name: "Back office", is_active: true, is_internal: true },
      ],
    },
  })
  const coffee = ["Coffee 1", "Coffee 2", "Coffee 3", "Coffee 4"].map(id)
  await batchLinkProductsToCategoryWorkflow(container).run({ input: { id: coffeeCategory.id, add: coffee } })
  await batchLinkProductsToCategoryWorkflow(container).run({ input: { id: hiddenCategory.id, add: coffee } })

  // 120 customers: even ones drink tea, odd ones coffee. Order 1 (old): items 1 and 2 of their
  // block (tea drinkers also take the draft teapot and the other channel's kettle); order 2:
  // item 3, and for the second half item 4 too; the first half buy item 4 in the last 20 days
  // (the holdout). Mug and Spoon: bought by a few customers of both blocks, lately.
  const customers = await container.resolve(Modules.CUSTOMER).createCustomers(
    Array.from({ length: 120 }, (_, i) => ({ email: `rec-${i}@example.com`, has_account: true }))
  )
  const orders: { customer: string; email: string; daysAgo: number; products: string[] }[] = []
  customers.forEach((c, i) => {
    const block = i % 2 === 0 ? "Tea" : "Coffee"
    const first = [id(`${block} 1`), id(`${block} 2`), ...(block === "Tea" ? [id("Draft teapot"), id("Other-channel kettle")] : [])]
    orders.push({ customer: c.id, email: c.email, daysAgo: 150 + (i % 30), products: first })
    orders.push({ customer: c.id, email: c.email, daysAgo: 60 + (i % 20), products: i < 60 ? [id(`${block} 3`)] : [id(`${block} 3`), id(`${block} 4`)] })
    if (i < 60) orders.push({ customer: c.id, email: c.email, daysAgo: 2 + (i % 18), products: [id(`${block} 4`)] })
    if (i % 10 === 0) orders.push({ customer: c.id, email: c.email, daysAgo: 40 + (i % 7), products: [id("Mug"), id("Spoon")] })
  })
  // Alice bought Tea 1 only; Bob, Coffee 1 only.
  const [alice, bob] = await container.resolve(Modules.CUSTOMER).createCustomers([
    { email: "alice@example.com", has_account: true },
    { email: "bob@example.com", has_account: true },
  ])
  orders.push({ customer: alice.id, email: alice.email, daysAgo: 100, products: [id("Tea 1")] })
  orders.push({ customer: bob.id, email: bob.email, daysAgo: 100, products: [id("Coffee 1")] })

  await container.resolve(Modules.ORDER).createOrders(
    orders.map((o) => ({
      customer_id: o.customer,
      email: o.email,
      currency_code: currency,
      status: "completed",
      metadata: { days_ago: o.daysAgo },
      items: o.products.map((p) => ({ title: "Line", product_id: p, quantity: 1, unit_price: 10 })),
    }))
  )
  // Dated from each order's own metadata: the service need not return orders in input order.
  await pg(container).raw(
    `UPDATE "order" SET created_at = now() - ((metadata->>'days_ago') || ' days')::interval WHERE metadata->>'days_ago' IS NOT NULL`
  )
  await runRebuild(container)
  return { region, main, other, mainKey: mainKey.token, otherKey: otherKey.token, id, alice, bob, customers, coffeeCategory: coffeeCategory.id, hiddenCategory: hiddenCategory.id }
}

/** Store request headers: the publishable key and, for a customer, a bearer token. */
export function storeHeaders(key: string, customer?: { id: string }) {
  const headers: Record<string, string> = { "x-publishable-api-key": key }
  if (customer) {
    headers.authorization = `Bearer ${jwt.sign(
      { actor_id: customer.id, actor_type: "customer", auth_identity_id: `authid_${customer.id}`, app_metadata: { customer_id: customer.id } },
      process.env.JWT_SECRET ?? "supersecret",
      { expiresIn: "1d" }
    )}`
  }
  return { headers }
}
