import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { runRebuild } from "../../src/workflows/runs"
import { createProducts, pg, storeCurrency } from "./store"

/** One customer's orders: when (whole days before now) and the price of its single line. */
type CustomerPlan = { daysAgo: number[]; price: number }

/**
 * Creates one customer per plan (email `<emailPrefix>-<i>@example.com`; the first `optOut` carry
 * the opt-out metadata flag) and their orders through the order module, dates the orders with
 * one UPDATE, then counts them with a rebuild.
 */
async function seedPlannedStore(container: MedusaContainer, plans: CustomerPlan[], { optOut = 0, emailPrefix = "seg" } = {}) {
  const currency = await storeCurrency(container)
  const [p1, p2] = await createProducts(container, 2)
  const input = plans.map((_, i) => ({
    email: `${emailPrefix}-${i}@example.com`,
    has_account: true,
    metadata: i < optOut ? { personalization_opt_out: "true" } : undefined,
  }))
  // Created rows need not come back in input order: put them back in it by email.
  const byEmail = new Map((await container.resolve(Modules.CUSTOMER).createCustomers(input)).map((c) => [c.email, c]))
  const customers = input.map((c) => byEmail.get(c.email)!)
  const orders: { customer: string; email: string; daysAgo: number; price: number }[] = []
  const datesLeft = new Map<string, number[]>()
  customers.forEach((c, i) => {
    datesLeft.set(c.id, [...plans[i].daysAgo])
    for (const daysAgo of plans[i].daysAgo) orders.push({ customer: c.id, email: c.email, daysAgo, price: plans[i].price })
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
    // Dated by customer, not by position: created orders need not come back in input order
    // (a customer's orders are alike but for their dates, so any of them may take any date).
    [created.map((o) => o.id), created.map((o) => datesLeft.get(o.customer_id as string)!.shift()!)]
  )
  await runRebuild(container)
  return customers
}

/**
 * A store worth segmenting: 120 customers in three planted behaviours (30 one-time buyers long
 * ago, 40 occasional, 50 frequent recent big spenders), with per-customer variation so every row
 * is distinct; orders made through the order module, dated with one UPDATE, then counted by a
 * rebuild. The first `optOut` customers carry the opt-out metadata flag. Nobody who had ordered
 * 90 days ago has ordered since, so a 90-day purchase prediction has no buyers to learn from.
 */
export async function seedSegmentableStore(container: MedusaContainer, options: { optOut?: number; emailPrefix?: string } = {}) {
  const plans = Array.from({ length: 120 }, (_, i): CustomerPlan => {
    const [count, age, price] = i < 30 ? [1, 200 + i, 5 + i] : i < 70 ? [2, 60 + i, 20 + i] : [6, 3 + (i % 10), 80 + i]
    return { daysAgo: Array.from({ length: count }, (_, k) => age + k * 15), price }
  })
  return seedPlannedStore(container, plans, options)
}

/** Index ranges of the behaviours planted by seedPredictableStore. */
export const PREDICTABLE = {
  /** 12 orders, one every 30 days, the newest 5 to 14 days ago. */
  regular: [0, 50],
  /** One order, 250 to 328 days ago. */
  lapsed: [50, 90],
  /** 4 orders, one every 80 days, the newest 11 to 40 days ago. */
  occasional: [90, 120],
} as const

/**
 * A store with a year of history for a 90-day purchase prediction (PREDICTABLE): 120 customers,
 * of whom the regulars and the occasional buyers ordered both before and within the last 90
 * days, and the lapsed one-time buyers ordered once, long before. At the fit cutoff (90 days
 * ago) all 120 have an order; 80 bought in the 90 days after, 40 did not.
 */
export async function seedPredictableStore(container: MedusaContainer, options: { optOut?: number; emailPrefix?: string } = {}) {
  const plans = Array.from({ length: 120 }, (_, i): CustomerPlan => {
    if (i < PREDICTABLE.regular[1]) return { daysAgo: Array.from({ length: 12 }, (_, k) => 5 + (i % 10) + 30 * k), price: 30 + i }
    if (i < PREDICTABLE.lapsed[1]) return { daysAgo: [250 + 2 * (i - 50)], price: 10 + i }
    return { daysAgo: Array.from({ length: 4 }, (_, k) => 11 + (i % 30) + 80 * k), price: 20 + i }
  })
  return seedPlannedStore(container, plans, { emailPrefix: "pred", ...options })
}

/** Members of a customer group, sorted. */
export async function groupMembers(container: MedusaContainer, groupId: string) {
  const rows = await container.resolve(Modules.CUSTOMER).listCustomerGroupCustomers({ customer_group_id: groupId }, { take: null })
  return rows.map((r) => r.customer_id).sort()
}
