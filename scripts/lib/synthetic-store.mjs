/**
 * A seeded generator of a large synthetic store, written straight into Medusa's tables in
 * batches (one multi-row INSERT ... SELECT FROM unnest(...) per table and batch: `pg` has no
 * COPY stream here). Customers, products and orders are sized separately.
 *
 * What it fills: what the plugin's SQL reader reads, plus what Medusa's own reads need to
 * answer for these rows (`query.graph` of an order with `total` and `items.*`, a product with
 * its variant, sales channel and category): a region and the store's default sales channel on
 * every order, an order summary with its totals, line titles, variant ids and product fields
 * on every line, one variant per product linked to the default sales channel, categories and
 * a text description per product. All in the store's default currency, so that money features
 * count them.
 *
 * Skew, shaped like the Online Retail data: about 20 lines per order; customer activity and
 * product popularity heavy-tailed (index = floor(n * u^2) for uniform u, so with as many
 * orders as customers about 40% of customers never order and many order once, while the first
 * few order hundreds of times). Customers lean to two favourite categories (60% of their
 * lines), so products of a category are bought together and a recommender can beat popularity.
 *
 * Rows bypass Medusa's services on purpose: a million orders through the order module would
 * take far longer than the runs being measured. Secondary indexes of the big tables are
 * dropped while loading and rebuilt after (same definitions, read from pg_indexes), which is
 * what makes 20M lines load in minutes rather than hours.
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

/** Share of a customer's lines drawn from their two favourite categories. */
const CATEGORY_SHARE = 0.6

const WORDS = [
  "linen", "cotton", "wool", "oak", "steel", "ceramic", "glass", "bamboo", "leather", "paper",
  "blue", "green", "amber", "white", "black", "red", "grey", "sand", "rose", "olive",
  "mug", "lamp", "scarf", "bag", "bowl", "candle", "chair", "plate", "towel", "notebook",
  "small", "large", "classic", "vintage", "modern", "soft", "sturdy", "light", "handmade", "set",
]
// Tables loaded in bulk: their secondary indexes are dropped during the load and rebuilt after.
const BULK_TABLES = ["customer", "product", "product_variant", "product_sales_channel", "product_category_product", "order", "order_summary", "order_line_item", "order_item"]

const bn = (v) => `jsonb_build_object('value', (${v})::text, 'precision', 20)`

/**
 * @param {object} o
 * @param {string} o.databaseUrl  a migrated Medusa database whose app booted once (store, default sales channel)
 * @param {number} o.orders       number of orders (default 100,000)
 * @param {number} [o.customers]  default orders / 5
 * @param {number} [o.products]   default orders / 25 (at least 20)
 * @param {number} [o.seed=1]
 * @param {number} [o.batch=500]  orders per batch (about 10k lines)
 * @param {number} [o.end]        the orders span the year before this time (ms; default 2026-01-01 UTC)
 * @param {(done: number, total: number, stats: object) => void} [o.progress]
 * @returns {Promise<{orders, customers, products, lines, categories, seconds: object, rows_per_second: object}>}
 */
export async function generateSyntheticStore({ databaseUrl, orders = 100_000, customers, products, seed = 1, batch = 500, end = Date.UTC(2026, 0, 1), progress }) {
  customers ??= Math.max(1, Math.round(orders / 5))
  products ??= Math.max(20, Math.round(orders / 25))
  const categories = Math.max(10, Math.round(products / 500))
  const random = mulberry32(seed)
  const spanMs = 365 * 86_400_000
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const seconds = {}
  const timed = async (name, fn) => {
    const t = Date.now()
    const r = await fn()
    seconds[name] = (seconds[name] ?? 0) + (Date.now() - t) / 1000
    return r
  }
  try {
    // A lost generation is simply redone: no need to wait for each batch's WAL flush.
    await client.query("SET synchronous_commit = off")
    const currency =
      (await client.query(`SELECT currency_code FROM store_currency WHERE is_default AND deleted_at IS NULL LIMIT 1`))
        .rows[0]?.currency_code ?? "eur"
    const channel =
      (await client.query(`SELECT default_sales_channel_id AS id FROM store WHERE deleted_at IS NULL LIMIT 1`)).rows[0]?.id ??
      (await client.query(`SELECT id FROM sales_channel WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1`)).rows[0]?.id ??
      null
    await client.query(
      `INSERT INTO region (id, name, currency_code, automatic_taxes) VALUES ('reg_syn', 'Synthetic region', $1, false)
       ON CONFLICT (id) DO NOTHING`,
      [currency]
    )

    const indexes = (
      await client.query(
        `SELECT i.indexname, i.indexdef FROM pg_indexes i
         JOIN pg_class c ON c.relname = i.indexname
         JOIN pg_index x ON x.indexrelid = c.oid
         WHERE i.schemaname = 'public' AND i.tablename = ANY($1) AND NOT x.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)`,
        [BULK_TABLES]
      )
    ).rows
    for (const { indexname } of indexes) await client.query(`DROP INDEX IF EXISTS "${indexname}"`)

    await timed("customers", () =>
      client.query(
        `INSERT INTO customer (id, email, first_name, last_name, has_account, created_at)
         SELECT 'cus_syn_' || lpad(i::text, 9, '0'), 'syn-' || i || '@example.com',
                'First' || (i % 997), 'Last' || (i % 1009), true,
                $2::timestamptz - (i % 730) * interval '1 day'
         FROM generate_series(0, $1::int - 1) AS i`,
        [customers, new Date(end - spanMs).toISOString()]
      )
    )
    await timed("products", async () => {
      await client.query(
        `INSERT INTO product_category (id, name, description, handle, mpath, is_active, rank)
         SELECT 'pcat_syn_' || lpad(i::text, 5, '0'), 'Category ' || i, 'Synthetic category ' || i,
                'syn-cat-' || i, 'pcat_syn_' || lpad(i::text, 5, '0'), true, i
         FROM generate_series(0, $1::int - 1) AS i`,
        [categories]
      )
      // Titles and descriptions from a seeded word list: some text for search and embeddings.
      const title = []
      const description = []
      for (let i = 0; i < products; i++) {
        const w = () => WORDS[Math.floor(random() * WORDS.length)]
        title.push(`${w()} ${w()} ${w()} ${i}`)
        description.push(Array.from({ length: 12 + Math.floor(random() * 20) }, w).join(" "))
      }
      for (let start = 0; start < products; start += 10_000) {
        const stop = Math.min(products, start + 10_000)
        const params = [start, title.slice(start, stop), description.slice(start, stop)]
        await client.query(
          `INSERT INTO product (id, title, handle, description, status, created_at)
           SELECT 'prod_syn_' || lpad(i::text, 9, '0'), t, 'syn-' || i, d, 'published', now()
           FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(t, d, k), LATERAL (SELECT $1::int + k::int - 1 AS i) s`,
          params
        )
      }
      await client.query(
        `INSERT INTO product_variant (id, title, sku, product_id, manage_inventory, variant_rank)
         SELECT 'variant_syn_' || lpad(i::text, 9, '0'), 'Default', 'SYN-' || i, 'prod_syn_' || lpad(i::text, 9, '0'), false, 0
         FROM generate_series(0, $1::int - 1) AS i`,
        [products]
      )
      await client.query(
        `INSERT INTO product_category_product (product_id, product_category_id)
         SELECT 'prod_syn_' || lpad(i::text, 9, '0'), 'pcat_syn_' || lpad((i % $2::int)::text, 5, '0')
         FROM generate_series(0, $1::int - 1) AS i`,
        [products, categories]
      )
      if (channel) {
        await client.query(
          `INSERT INTO product_sales_channel (id, product_id, sales_channel_id)
           SELECT 'prodsc_syn_' || lpad(i::text, 9, '0'), 'prod_syn_' || lpad(i::text, 9, '0'), $2
           FROM generate_series(0, $1::int - 1) AS i`,
          [products, channel]
        )
      }
    })

    const prices = Float64Array.from({ length: products }, () => Math.round((0.5 + random() * 20) * 100) / 100)
    // Co-purchase structure, so that a recommender has something to learn beyond popularity:
    // product i is in category i % categories; each customer has two favourite categories (a
    // fixed hash of the customer index) that take CATEGORY_SHARE of their lines, drawn with the
    // same skew inside the category; the rest follow global popularity.
    const perCategory = Math.max(1, Math.floor(products / categories))
    const favourite = (customer, which) => (Math.imul(customer + 1, which ? 0x9e3779b1 : 0x85ebca6b) >>> 0) % categories
    const drawProduct = (customer) => {
      const u = random()
      if (u >= CATEGORY_SHARE) return Math.floor(products * random() ** 2)
      const category = favourite(customer, u < CATEGORY_SHARE / 2 ? 0 : 1)
      return Math.min(products - 1, category + categories * Math.floor(perCategory * random() ** 2))
    }
    let lineSeq = 0
    let written = 0
    const started = Date.now()
    for (let start = 0; start < orders; start += batch) {
      const o = { n: [], customer: [], at: [], total: [] }
      const l = { n: [], product: [], price: [], order: [], qty: [] }
      await timed("draw", () => {
        for (let n = start; n < Math.min(orders, start + batch); n++) {
          o.n.push(n)
          o.customer.push(Math.floor(customers * random() ** 2))
          o.at.push(new Date(end - Math.floor(random() * spanMs)).toISOString())
          const lineCount = Math.min(150, 1 + Math.floor(-Math.log(1 - random()) * 19))
          const seen = new Set()
          let total = 0
          const customer = o.customer[o.customer.length - 1]
          for (let k = 0; k < lineCount; k++) {
            const product = drawProduct(customer)
            if (seen.has(product)) continue
            seen.add(product)
            const qty = 1 + Math.floor(random() * 12)
            l.n.push(lineSeq++)
            l.product.push(product)
            l.price.push(prices[product])
            l.order.push(n)
            l.qty.push(qty)
            total += prices[product] * qty
          }
          o.total.push(Math.round(total * 100) / 100)
        }
      })
      await timed("insert", async () => {
        await client.query("BEGIN")
        await client.query(
          `INSERT INTO "order" (id, region_id, customer_id, sales_channel_id, email, currency_code, status, created_at, updated_at)
           SELECT 'order_syn_' || lpad(n::text, 9, '0'), 'reg_syn', 'cus_syn_' || lpad(c::text, 9, '0'), $4,
                  'syn-' || c || '@example.com', $5, 'completed', at, at
           FROM unnest($1::int[], $2::int[], $3::timestamptz[]) AS t(n, c, at)`,
          [o.n, o.customer, o.at, channel, currency]
        )
        // The totals Medusa writes when an order is created and paid in full (OrderChangeProcessing.getSummary).
        await client.query(
          `INSERT INTO order_summary (id, order_id, version, totals)
           SELECT 'ordsum_syn_' || lpad(n::text, 9, '0'), 'order_syn_' || lpad(n::text, 9, '0'), 1,
                  jsonb_build_object(
                    'paid_total', total, 'raw_paid_total', ${bn("total")},
                    'refunded_total', 0, 'raw_refunded_total', ${bn(0)},
                    'credit_line_total', 0, 'raw_credit_line_total', ${bn(0)},
                    'accounting_total', total, 'raw_accounting_total', ${bn("total")},
                    'transaction_total', total, 'raw_transaction_total', ${bn("total")},
                    'pending_difference', 0, 'raw_pending_difference', ${bn(0)},
                    'current_order_total', total, 'raw_current_order_total', ${bn("total")},
                    'original_order_total', total, 'raw_original_order_total', ${bn("total")})
           FROM unnest($1::int[], $2::numeric[]) AS t(n, total)`,
          [o.n, o.total]
        )
        await client.query(
          `INSERT INTO order_line_item (id, title, subtitle, variant_id, product_id, product_title, product_handle,
             variant_sku, variant_title, requires_shipping, is_discountable, is_tax_inclusive, unit_price, raw_unit_price,
             created_at, updated_at)
           SELECT 'ordli_syn_' || lpad(n::text, 10, '0'), p.title, 'Default', 'variant_syn_' || lpad(pi::text, 9, '0'),
                  p.id, p.title, p.handle, 'SYN-' || pi, 'Default', true, true, false, price, ${bn("price")},
                  now(), now()
           FROM unnest($1::int[], $2::int[], $3::numeric[]) AS t(n, pi, price)
           JOIN product p ON p.id = 'prod_syn_' || lpad(pi::text, 9, '0')`,
          [l.n, l.product, l.price]
        )
        await client.query(
          `INSERT INTO order_item (id, order_id, version, item_id, quantity, raw_quantity,
             fulfilled_quantity, shipped_quantity, return_requested_quantity, return_received_quantity,
             return_dismissed_quantity, written_off_quantity, unit_price, raw_unit_price)
           SELECT 'orditem_syn_' || lpad(n::text, 10, '0'), 'order_syn_' || lpad(o::text, 9, '0'), 1,
                  'ordli_syn_' || lpad(n::text, 10, '0'), qty, ${bn("qty")}, 0, 0, 0, 0, 0, 0, price, ${bn("price")}
           FROM unnest($1::int[], $2::int[], $3::int[], $4::numeric[]) AS t(n, o, qty, price)`,
          [l.n, l.order, l.qty, l.price]
        )
        await client.query("COMMIT")
      })
      written = Math.min(orders, start + batch)
      const elapsed = (Date.now() - started) / 1000
      progress?.(written, orders, { lines: lineSeq, seconds: elapsed, lines_per_second: Math.round(lineSeq / elapsed) })
    }
    await timed("indexes", async () => {
      for (const { indexdef } of indexes) await client.query(indexdef)
    })
    // Autovacuum would analyze these tables soon in a live shop; do it now so plans are realistic.
    await timed("analyze", () => client.query(`ANALYZE customer, product, product_variant, "order", order_summary, order_item, order_line_item`))
    const round = (x) => Math.round(x * 10) / 10
    const loadSeconds = seconds.draw + seconds.insert
    return {
      end: new Date(end).toISOString(),
      orders,
      customers,
      products,
      categories,
      lines: lineSeq,
      seconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, round(v)])),
      rows_per_second: {
        // order + summary + line item + order item rows per second of the order load
        order_rows: Math.round((2 * orders + 2 * lineSeq) / loadSeconds),
        lines: Math.round(lineSeq / loadSeconds),
      },
    }
  } finally {
    await client.end()
  }
}
