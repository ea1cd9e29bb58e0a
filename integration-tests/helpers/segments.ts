import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { rebuildPurchaseFeaturesWorkflow } from "../../src/workflows/purchase-features"
import { createProducts, pg, storeCurrency } from "./store"

/**
 * A store worth segmenting: 120 customers in three planted behaviours (30 one-time buyers long
 * ago, 40 occasional, 50 frequent recent big spenders), with per-customer variation so every row
 * is distinct; orders made through the order module, dated with one UPDATE, then counted by a
 * rebuild. The first `optOut` customers carry the opt-out metadata flag.
 */
export async function seedSegmentableStore(container: MedusaContainer, { optOut = 0, emailPrefix = "seg" } = {}) {
  const currency = await storeCurrency(container)
  const [p1, p2] = await createProducts(container, 2)
  const customers = await container.resolve(Modules.CUSTOMER).createCustomers(
    Array.from({ length: 120 }, (_, i) => ({
      email: `${emailPrefix}-${i}@example.com`,
      has_account: true,
      metadata: i < optOut ? { personalization_opt_out: "true" } : undefined,
    }))
  )
  const orders: { customer: string; email: string; daysAgo: number; price: number }[] = []
  customers.forEach((c, i) => {
    const [count, age, price] = i < 30 ? [1, 200 + i, 5 + i] : i < 70 ? [2, 60 + i, 20 + i] : [6, 3 + (i % 10), 80 + i]
    for (let k = 0; k < count; k++) orders.push({ customer: c.id, email: c.email, daysAgo: age + k * 15, price })
  })
  const created = await container.resolve(Modules.ORDER).createOrders(
    orders.map((o) => ({
      customer_id: o.customer,
      email: o.email,
      currency_code: currency,
      status: "completed",
      items: [{ title: "Line", product_id: (o.price % 2 ? p1 : p2).id, quantity: 1, unit_price: o.price }],
    }))
  )
  await pg(container).raw(
    `UPDATE "order" o SET created_at = now() - (d.days || ' days')::interval
     FROM unnest(?::text[], ?::int[]) AS d(id, days) WHERE o.id = d.id`,
    [created.map((o) => o.id), orders.map((o) => o.daysAgo)]
  )
  await rebuildPurchaseFeaturesWorkflow(container).run({ input: {} })
  return customers
}

/** Members of a customer group, sorted. */
export async function groupMembers(container: MedusaContainer, groupId: string) {
  const rows = await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_group_id: groupId }, { take: null })
  return rows.map((r) => r.customer_id).sort()
}
