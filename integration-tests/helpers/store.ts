/**
 * Test fixtures made through Medusa's own modules and workflows, plus readers of the
 * plugin's tables. Orders are created through the order module (which emits nothing),
 * so tests deliver the order events themselves through the real event bus.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { TestEventUtils } from "@medusajs/test-utils"

const { waitSubscribersExecution } = TestEventUtils

export const PLUGIN_TABLES = [
  "personalization_order",
  "personalization_order_line",
  "personalization_customer_features",
  "personalization_customer_product",
] as const

type Knex = {
  raw: (sql: string, bindings?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>
}

export const pg = (container: MedusaContainer) => container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as Knex

export async function storeCurrency(container: MedusaContainer): Promise<string> {
  const [store] = await container.resolve(Modules.STORE).listStores({}, { relations: ["supported_currencies"] })
  return store.supported_currencies!.find((c) => c.is_default)!.currency_code
}

export async function createProducts(container: MedusaContainer, count: number) {
  const products = await container.resolve(Modules.PRODUCT).createProducts(
    Array.from({ length: count }, (_, i) => ({
      title: `Product ${i + 1}`,
      handle: `product-${i + 1}-${Math.random().toString(36).slice(2, 8)}`,
      status: "published" as const,
      options: [{ title: "Size", values: ["One"] }],
      variants: [{ title: "One", sku: `SKU-${i + 1}-${Math.random().toString(36).slice(2, 8)}`, options: { Size: "One" } }],
    }))
  )
  return products.map((p) => ({ id: p.id, variant_id: p.variants[0].id }))
}

export async function createCustomer(
  container: MedusaContainer,
  { email, has_account = true }: { email?: string; has_account?: boolean } = {}
) {
  const [customer] = await container.resolve(Modules.CUSTOMER).createCustomers([
    { email: email ?? `c-${Math.random().toString(36).slice(2, 10)}@example.com`, has_account },
  ])
  return customer
}

export type LineInput = {
  product: { id: string; variant_id: string } | null
  quantity: number
  unit_price: number
  discount?: number
  tax_rate?: number
  tax_inclusive?: boolean
}

export async function createOrder(
  container: MedusaContainer,
  {
    customer,
    lines,
    placed_at,
    currency_code,
  }: {
    customer: { id: string; email?: string | null }
    lines: LineInput[]
    placed_at?: Date
    currency_code: string
  }
) {
  const [order] = await container.resolve(Modules.ORDER).createOrders([
    {
      customer_id: customer.id,
      email: customer.email ?? undefined,
      currency_code,
      status: "pending",
      items: lines.map((line, i) => ({
        title: `Line ${i + 1}`,
        product_id: line.product?.id,
        variant_id: line.product?.variant_id,
        quantity: line.quantity,
        unit_price: line.unit_price,
        is_tax_inclusive: line.tax_inclusive ?? false,
        adjustments: line.discount ? [{ amount: line.discount, code: "TEST" }] : [],
        tax_lines: line.tax_rate ? [{ rate: line.tax_rate, code: "VAT" }] : [],
      })),
    },
  ])
  if (placed_at) {
    await pg(container).raw(`UPDATE "order" SET created_at = ? WHERE id = ?`, [placed_at, order.id])
  }
  return order
}

/** Emits events through the app's event bus and waits until every subscriber has run. */
export async function deliver(container: MedusaContainer, name: string, payloads: Record<string, unknown>[]) {
  const eventBus = container.resolve(Modules.EVENT_BUS)
  const done = waitSubscribersExecution(name, eventBus, { triggerCount: payloads.length, timeout: 60_000 })
  await eventBus.emit(payloads.map((data) => ({ name, data })))
  await done
}

/** Runs a workflow-emitting action and waits for the subscribers of the event it emits. */
export async function andWaitFor<T>(container: MedusaContainer, name: string, action: () => Promise<T>) {
  const done = waitSubscribersExecution(name, container.resolve(Modules.EVENT_BUS), { timeout: 60_000 })
  const result = await action()
  await done
  return result
}

export async function customerFeatures(container: MedusaContainer, customerId: string) {
  const { rows } = await pg(container).raw(
    `SELECT customer_id, first_order_at, last_order_at, order_count, money_order_count,
            total_spend::float8 AS total_spend, average_order_value::float8 AS average_order_value,
            currency_code, item_quantity, distinct_products
     FROM personalization_customer_features WHERE customer_id = ?`,
    [customerId]
  )
  return rows[0]
}

export async function customerProducts(container: MedusaContainer, customerId: string) {
  const { rows } = await pg(container).raw(
    `SELECT product_id, order_count, quantity, first_purchased_at, last_purchased_at
     FROM personalization_customer_product WHERE customer_id = ? ORDER BY product_id`,
    [customerId]
  )
  return rows
}

/** Every plugin table's content, without bookkeeping timestamps, in a stable order. */
export async function snapshotTables(container: MedusaContainer) {
  const snapshot: Record<string, Record<string, unknown>[]> = {}
  for (const table of PLUGIN_TABLES) {
    const { rows } = await pg(container).raw(`SELECT * FROM ${table} ORDER BY 1`)
    // read_at is when a row's order was read (bookkeeping like updated_at): a rebuild reads later than the events did.
    snapshot[table] = rows.map(({ created_at, updated_at, read_at, ...rest }) => rest)
  }
  return snapshot
}

/** Rows of any plugin table with a column whose value is `value`. */
export async function rowsMentioning(container: MedusaContainer, value: string) {
  const { rows: columns } = await pg(container).raw(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name LIKE 'personalization\\_%' AND data_type = 'text'`
  )
  let found = 0
  for (const { table_name, column_name } of columns) {
    const { rows } = await pg(container).raw(`SELECT COUNT(*)::int AS n FROM ?? WHERE ?? = ?`, [
      table_name,
      column_name,
      value,
    ])
    found += Number(rows[0].n)
  }
  return { found, tables: new Set(columns.map((c) => c.table_name)).size }
}
