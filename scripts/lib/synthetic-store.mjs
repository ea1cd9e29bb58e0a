/**
 * A seeded generator of a large synthetic store, written straight into Medusa's tables in
 * batches (one multi-row INSERT per table and batch). It fills only what the plugin reads:
 * customers, products, orders, order items and line items, all in one currency. Shaped like
 * the Online Retail data: about 20 lines per order, skewed product and customer popularity,
 * in the store's default currency.
 * Rows bypass Medusa's services on purpose: 100k orders through the order module would take
 * far longer than the rebuild being measured.
 */
import pg from "pg"

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pad = (n) => String(n).padStart(9, "0")

/**
 * @param {object} o
 * @param {string} o.databaseUrl  a migrated Medusa database
 * @param {number} o.orders       number of orders (default 100,000)
 * @param {number} [o.seed=1]
 * @param {number} [o.batch=1000] orders per batch
 * @param {(done: number, total: number) => void} [o.progress]
 */
export async function generateSyntheticStore({ databaseUrl, orders = 100_000, seed = 1, batch = 1000, progress }) {
  const random = mulberry32(seed)
  const customers = Math.max(1, Math.round(orders / 5))
  const products = Math.max(20, Math.round(orders / 25))
  const end = Date.UTC(2026, 0, 1)
  const spanMs = 365 * 86_400_000
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    // Orders in the store's default currency, so that money features count them.
    const currency =
      (await client.query(`SELECT currency_code FROM store_currency WHERE is_default AND deleted_at IS NULL LIMIT 1`))
        .rows[0]?.currency_code ?? "eur"
    await client.query("BEGIN")
    await client.query(
      `INSERT INTO customer (id, email, has_account)
       SELECT 'cus_syn_' || lpad(i::text, 9, '0'), 'syn-' || i || '@example.com', true
       FROM generate_series(0, $1::int - 1) AS i`,
      [customers]
    )
    await client.query(
      `INSERT INTO product (id, title, handle, status)
       SELECT 'prod_syn_' || lpad(i::text, 9, '0'), 'Synthetic product ' || i, 'syn-' || i, 'published'
       FROM generate_series(0, $1::int - 1) AS i`,
      [products]
    )
    await client.query("COMMIT")

    const prices = Array.from({ length: products }, () => Math.round((0.5 + random() * 20) * 100) / 100)
    let lineSeq = 0
    for (let start = 0; start < orders; start += batch) {
      const o = { id: [], customer: [], at: [] }
      const l = { id: [], product: [], price: [], order: [], qty: [] }
      for (let n = start; n < Math.min(orders, start + batch); n++) {
        const orderId = `order_syn_${pad(n)}`
        o.id.push(orderId)
        // Skewed popularity: squaring a uniform draw favours low indexes.
        o.customer.push(`cus_syn_${pad(Math.floor(customers * random() ** 2))}`)
        o.at.push(new Date(end - Math.floor(random() * spanMs)).toISOString())
        const lineCount = Math.min(150, 1 + Math.floor(-Math.log(1 - random()) * 19))
        const seen = new Set()
        for (let k = 0; k < lineCount; k++) {
          const product = Math.floor(products * random() ** 2)
          if (seen.has(product)) {
            continue
          }
          seen.add(product)
          l.id.push(pad(lineSeq++))
          l.product.push(`prod_syn_${pad(product)}`)
          l.price.push(prices[product])
          l.order.push(orderId)
          l.qty.push(1 + Math.floor(random() * 12))
        }
      }
      await client.query("BEGIN")
      await client.query(
        `INSERT INTO "order" (id, customer_id, email, currency_code, status, created_at)
         SELECT id, customer_id, 'syn@example.com', $4, 'completed', created_at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS t(id, customer_id, created_at)`,
        [o.id, o.customer, o.at, currency]
      )
      await client.query(
        `INSERT INTO order_line_item (id, title, product_id, unit_price, raw_unit_price)
         SELECT 'ordli_syn_' || id, 'Line', product_id, price,
                jsonb_build_object('value', price::text, 'precision', 20)
         FROM unnest($1::text[], $2::text[], $3::numeric[]) AS t(id, product_id, price)`,
        [l.id, l.product, l.price]
      )
      await client.query(
        `INSERT INTO order_item (id, order_id, version, item_id, quantity, raw_quantity,
           fulfilled_quantity, shipped_quantity, return_requested_quantity, return_received_quantity,
           return_dismissed_quantity, written_off_quantity)
         SELECT 'orditem_syn_' || id, order_id, 1, 'ordli_syn_' || id, qty,
                jsonb_build_object('value', qty::text, 'precision', 20), 0, 0, 0, 0, 0, 0
         FROM unnest($1::text[], $2::text[], $3::int[]) AS t(id, order_id, qty)`,
        [l.id, l.order, l.qty]
      )
      await client.query("COMMIT")
      progress?.(Math.min(orders, start + batch), orders)
    }
    // Autovacuum would analyze these tables soon in a live shop; do it now so plans are realistic.
    await client.query(`ANALYZE customer, product, "order", order_item, order_line_item`)
    const { rows } = await client.query(`SELECT COUNT(*)::int AS n FROM order_item WHERE id LIKE 'orditem_syn_%'`)
    return { orders, customers, products, lines: rows[0].n }
  } finally {
    await client.end()
  }
}
