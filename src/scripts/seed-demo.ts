/**
 * Seeds a demo store from the Online Retail sample shipped in data/online-retail-sample/
 * (UCI Online Retail, CC BY 4.0: see that folder's README). Run by `npm run demo`, or:
 *
 *   MEDUSA_DISABLE_TELEMETRY=true npx medusa exec ./src/scripts/seed-demo.ts [sample.csv.gz]
 *
 * Creates: GBP as the store's default currency, a "United Kingdom" region (gbp, gb) with a
 * tax region, a publishable API key (DEMO_KEY_TITLE) on the store's default sales channel,
 * one published product per StockCode, one customer with a login per CustomerID
 * (customer-<id>@example.com / DEMO_PASSWORD) and one completed order per invoice, dated
 * like the invoice but shifted by whole days so that the newest invoice is yesterday.
 *
 * Idempotent: a finished seed sets DEMO_SEEDED_KEY in the store's metadata and a second run
 * does nothing; an interrupted seed resumes (existing products by SKU, customers by email,
 * orders by the invoice number kept in their metadata are not created again).
 *
 * Orders are created through the order module, which emits no `order.placed`: run the
 * plugin's rebuild afterwards (src/scripts/rebuild-features.ts) to fill its feature tables.
 */
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { gunzipSync } from "node:zlib"
import { parse } from "csv-parse/sync"
import type { ExecArgs, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createCustomersWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"

export const DEMO_SAMPLE = "data/online-retail-sample/online-retail-sample.csv.gz"
export const DEMO_KEY_TITLE = "Personalization demo"
export const DEMO_PASSWORD = "demo-password"
/** Store metadata keys written by the seed (read by scripts/demo.mjs and check-demo-features.mjs). */
export const DEMO_SEEDED_KEY = "personalization_demo_seeded_at"
export const DEMO_SHIFT_KEY = "personalization_demo_shift_days"
const REGION_NAME = "United Kingdom"
const CURRENCY = "gbp"
const DAY_MS = 86_400_000

const PRODUCT_BATCH = 200
const CUSTOMER_BATCH = 200
const ORDER_BATCH = 100

type Line = {
  invoice: string
  code: string
  description: string
  quantity: number
  /** As written in the CSV (a decimal string), so that prices stay exact. */
  unitPrice: string
  /** InvoiceDate read as UTC, in ms. */
  time: number
  customer: string
  country: string
}

export const demoEmail = (customerId: string) => `customer-${customerId}@example.com`

const STOCK_CODE = /^\d{5}[A-Z]{0,2}$/

/** Reads and cleans the sample like docs/evaluation.md ("Cleaning"). */
export function readSample(path: string): Line[] {
  const records: Record<string, string>[] = parse(gunzipSync(readFileSync(path)), {
    columns: true,
    skip_empty_lines: true,
  })
  const lines: Line[] = []
  for (const r of records) {
    const code = r.StockCode.trim().toUpperCase()
    const customer = r.CustomerID.trim().replace(/\.0$/, "")
    if (
      !customer ||
      r.InvoiceNo.startsWith("C") ||
      !(Number(r.Quantity) > 0) ||
      !(Number(r.UnitPrice) > 0) ||
      !STOCK_CODE.test(code)
    ) {
      continue
    }
    // The CSV's times are UK local time; the demo reads them as UTC.
    const time = Date.parse(r.InvoiceDate.trim().replace(" ", "T") + "Z")
    lines.push({
      invoice: r.InvoiceNo.trim(),
      code,
      description: r.Description.trim(),
      quantity: Number(r.Quantity),
      unitPrice: r.UnitPrice.trim(),
      time,
      customer,
      country: r.Country.trim(),
    })
  }
  return lines
}

/** Whole days to add to every invoice time so that the newest invoice falls on yesterday (UTC). */
export function shiftDays(lines: Line[], now = new Date()): number {
  const newest = lines.reduce((max, l) => Math.max(max, l.time), -Infinity)
  const yesterday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - DAY_MS
  return Math.round((yesterday - Math.floor(newest / DAY_MS) * DAY_MS) / DAY_MS)
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size))
  }
  return out
}

function mostFrequent(values: string[]): string {
  const counts = new Map<string, number>()
  for (const v of values) {
    if (v) counts.set(v, (counts.get(v) ?? 0) + 1)
  }
  // Ties go to the alphabetically first description, so the title does not depend on line order.
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? ""
}

/** Lower median of the prices seen (an observed price, no rounding). */
function medianPrice(prices: string[]): number {
  const sorted = prices.map(Number).sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

function titleCase(text: string): string {
  return text.toLowerCase().replace(/\b([a-z])/g, (c) => c.toUpperCase())
}

export default async function seedDemo({ container, args }: ExecArgs) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
  const storeModule = container.resolve(Modules.STORE)
  const regionModule = container.resolve(Modules.REGION)
  const taxModule = container.resolve(Modules.TAX)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const productModule = container.resolve(Modules.PRODUCT)
  const customerModule = container.resolve(Modules.CUSTOMER)
  const authModule = container.resolve(Modules.AUTH)
  const orderModule = container.resolve(Modules.ORDER)
  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`

  const [store] = await storeModule.listStores()
  if (!store) {
    throw new Error("seed-demo: no store found (Medusa creates the default store when the app loads)")
  }
  if (store.metadata?.[DEMO_SEEDED_KEY]) {
    logger.info(`seed-demo: the store was seeded at ${store.metadata[DEMO_SEEDED_KEY]}; nothing to do`)
    return
  }

  const samplePath = resolve(process.cwd(), args?.[0] ?? DEMO_SAMPLE)
  const lines = readSample(samplePath)
  if (!lines.length) {
    throw new Error(`seed-demo: no usable lines in ${samplePath}`)
  }
  // Keep a shift chosen by an interrupted earlier run, so all orders move by the same days.
  const previousShift = Number(store.metadata?.[DEMO_SHIFT_KEY] ?? NaN)
  const shift = Number.isInteger(previousShift) ? previousShift : shiftDays(lines)
  logger.info(
    `seed-demo: ${lines.length} lines from ${samplePath}; invoice times shifted by ${shift} days`
  )

  // --- store, region, tax region, sales channel, publishable key ----------------------
  const salesChannelId = store.default_sales_channel_id
  if (!salesChannelId) {
    throw new Error("seed-demo: the store has no default sales channel")
  }
  let [region] = await regionModule.listRegions({ name: REGION_NAME })
  if (!region) {
    const { result } = await createRegionsWorkflow(container).run({
      input: {
        regions: [
          {
            name: REGION_NAME,
            currency_code: CURRENCY,
            countries: ["gb"],
            payment_providers: ["pp_system_default"],
          },
        ],
      },
    })
    region = result[0]
  }
  if (!(await taxModule.listTaxRegions({ country_code: "gb" })).length) {
    await createTaxRegionsWorkflow(container).run({ input: [{ country_code: "gb", provider_id: "tp_system" }] })
  }
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        name: "Online Retail demo",
        supported_currencies: [{ currency_code: CURRENCY, is_default: true }],
        default_region_id: region.id,
        metadata: { ...(store.metadata ?? {}), [DEMO_SHIFT_KEY]: shift },
      },
    },
  })
  let [apiKey] = await apiKeyModule.listApiKeys({ title: DEMO_KEY_TITLE, type: "publishable" })
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: DEMO_KEY_TITLE, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    await linkSalesChannelsToApiKeyWorkflow(container).run({
      input: { id: apiKey.id, add: [salesChannelId] },
    })
  }
  logger.info(`seed-demo: store currency gbp, region ${region.id}, sales channel ${salesChannelId} (${elapsed()})`)

  // --- products: one per StockCode -----------------------------------------------------
  const byCode = new Map<string, Line[]>()
  for (const l of lines) {
    const list = byCode.get(l.code) ?? []
    list.push(l)
    byCode.set(l.code, list)
  }
  const variantOf = new Map<string, { variant_id: string; product_id: string; title: string; handle: string }>()
  const readVariants = async (skus: string[]) => {
    for (const batch of chunks(skus, 1000)) {
      const variants = await productModule.listProductVariants(
        { sku: batch },
        { select: ["id", "sku", "product_id", "product.title", "product.handle"], relations: ["product"] }
      )
      for (const v of variants) {
        variantOf.set(v.sku!, {
          variant_id: v.id,
          product_id: v.product_id!,
          title: v.product!.title,
          handle: v.product!.handle,
        })
      }
    }
  }
  const codes = [...byCode.keys()].sort()
  await readVariants(codes)
  const newCodes = codes.filter((c) => !variantOf.has(c))
  let createdProducts = 0
  for (const batch of chunks(newCodes, PRODUCT_BATCH)) {
    await createProductsWorkflow(container).run({
      input: {
        products: batch.map((code) => {
          const own = byCode.get(code)!
          const description = mostFrequent(own.map((l) => l.description))
          return {
            title: description ? titleCase(description) : `Item ${code}`,
            handle: code.toLowerCase(),
            status: ProductStatus.PUBLISHED,
            metadata: { online_retail_stock_code: code },
            options: [{ title: "Default", values: ["Default"] }],
            variants: [
              {
                title: "Default",
                sku: code,
                options: { Default: "Default" },
                manage_inventory: false,
                prices: [{ amount: medianPrice(own.map((l) => l.unitPrice)), currency_code: CURRENCY }],
              },
            ],
            sales_channels: [{ id: salesChannelId }],
          }
        }),
      },
    })
    createdProducts += batch.length
    logger.info(`seed-demo: products ${createdProducts + codes.length - newCodes.length}/${codes.length} (${elapsed()})`)
  }
  await readVariants(newCodes)

  // --- customers with logins ------------------------------------------------------------
  const countryOf = new Map<string, string>()
  for (const l of lines) countryOf.set(l.customer, l.country)
  const customerIds = [...countryOf.keys()].sort()
  const emails = customerIds.map(demoEmail)
  const customerOf = new Map<string, string>() // email -> Medusa customer id
  const readCustomers = async (list: string[]) => {
    for (const batch of chunks(list, 1000)) {
      const found = await customerModule.listCustomers({ email: batch, has_account: true }, { select: ["id", "email"] })
      for (const c of found) customerOf.set(c.email!, c.id)
    }
  }
  await readCustomers(emails)
  const newCustomers = customerIds.filter((id) => !customerOf.has(demoEmail(id)))
  let createdCustomers = 0
  for (const batch of chunks(newCustomers, CUSTOMER_BATCH)) {
    await createCustomersWorkflow(container).run({
      input: {
        customersData: batch.map((id) => ({
          email: demoEmail(id),
          first_name: "Customer",
          last_name: id,
          has_account: true,
          metadata: { online_retail_customer_id: id, country: countryOf.get(id) },
        })),
      },
    })
    createdCustomers += batch.length
    logger.info(`seed-demo: customers ${createdCustomers + customerIds.length - newCustomers.length}/${customerIds.length} (${elapsed()})`)
  }
  await readCustomers(newCustomers.map(demoEmail))

  // Logins: one emailpass identity per customer. The first goes through the provider's
  // register (its own scrypt hashing); the others reuse that hash, which embeds its salt,
  // because hashing 1,000 passwords one by one takes minutes.
  // (Read over SQL: the auth module's filter takes a single entity_id.)
  const identities: { entity_id: string; provider_metadata: Record<string, unknown> | null }[] = (
    await pg.raw(
      `SELECT entity_id, provider_metadata FROM provider_identity
       WHERE provider = 'emailpass' AND deleted_at IS NULL
         AND entity_id IN (SELECT jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(emails)]
    )
  ).rows
  const hasLogin = new Set(identities.map((i) => i.entity_id))
  let passwordHash = identities.find((i) => typeof i.provider_metadata?.password === "string")
    ?.provider_metadata?.password as string | undefined
  const withoutLogin = emails.filter((e) => !hasLogin.has(e))
  if (withoutLogin.length && !passwordHash) {
    const email = withoutLogin.shift()!
    const registered = await authModule.register("emailpass", { body: { email, password: DEMO_PASSWORD } })
    if (!registered.success || !registered.authIdentity) {
      throw new Error(`seed-demo: registering ${email} failed: ${registered.error}`)
    }
    await authModule.updateAuthIdentities({
      id: registered.authIdentity.id,
      app_metadata: { customer_id: customerOf.get(email) },
    })
    const [own] = await authModule.listProviderIdentities(
      { provider: "emailpass", entity_id: email },
      { select: ["provider_metadata"] }
    )
    passwordHash = own.provider_metadata?.password as string
  }
  for (const batch of chunks(withoutLogin, 500)) {
    await authModule.createAuthIdentities(
      batch.map((email) => ({
        provider_identities: [{ provider: "emailpass", entity_id: email, provider_metadata: { password: passwordHash } }],
        app_metadata: { customer_id: customerOf.get(email) },
      }))
    )
  }
  logger.info(`seed-demo: logins ${emails.length}/${emails.length}, password "${DEMO_PASSWORD}" (${elapsed()})`)

  // --- orders: one per invoice -------------------------------------------------------------
  const byInvoice = new Map<string, Line[]>()
  for (const l of lines) {
    const list = byInvoice.get(l.invoice) ?? []
    list.push(l)
    byInvoice.set(l.invoice, list)
  }
  // An invoice's time is its earliest line's (a few invoices span two minutes).
  const times = new Map([...byInvoice].map(([invoice, own]) => [invoice, Math.min(...own.map((l) => l.time))]))
  const invoiceTime = (invoice: string) => times.get(invoice)!
  const invoices = [...byInvoice.keys()].sort((a, b) => invoiceTime(a) - invoiceTime(b) || (a < b ? -1 : 1))
  const placedAt = (invoice: string) => new Date(invoiceTime(invoice) + shift * DAY_MS).toISOString()

  const setCreatedAt = async (rows: { id: string; created_at: string }[]) => {
    if (!rows.length) return
    // One statement per batch: the order, its items and their line items get the invoice time.
    await pg.raw(
      `WITH v AS (
         SELECT * FROM jsonb_to_recordset(?::jsonb) AS v(id text, created_at timestamptz)
       ),
       orders AS (
         UPDATE "order" o SET created_at = v.created_at, updated_at = v.created_at
         FROM v WHERE o.id = v.id RETURNING o.id
       ),
       items AS (
         UPDATE order_item oi SET created_at = v.created_at, updated_at = v.created_at
         FROM v WHERE oi.order_id = v.id RETURNING oi.item_id, v.created_at
       )
       UPDATE order_line_item li SET created_at = items.created_at, updated_at = items.created_at
       FROM items WHERE li.id = items.item_id`,
      [JSON.stringify(rows)]
    )
  }

  const existing: { id: string; invoice: string }[] = (
    await pg.raw(
      `SELECT id, metadata->>'online_retail_invoice' AS invoice FROM "order"
       WHERE deleted_at IS NULL AND metadata->>'online_retail_invoice' IS NOT NULL`
    )
  ).rows
  const done = new Set(existing.map((r) => r.invoice))
  // An interrupted run may have created orders without dating them: date them again.
  await setCreatedAt(existing.filter((r) => byInvoice.has(r.invoice)).map((r) => ({ id: r.id, created_at: placedAt(r.invoice) })))
  const todo = invoices.filter((i) => !done.has(i))
  let createdOrders = 0
  for (const batch of chunks(todo, ORDER_BATCH)) {
    const created = await orderModule.createOrders(
      batch.map((invoice) => {
        const own = byInvoice.get(invoice)!
        const email = demoEmail(own[0].customer)
        return {
          customer_id: customerOf.get(email),
          email,
          region_id: region.id,
          sales_channel_id: salesChannelId,
          currency_code: CURRENCY,
          status: "completed",
          metadata: { online_retail_invoice: invoice },
          items: own.map((l) => {
            const v = variantOf.get(l.code)!
            return {
              title: l.description ? titleCase(l.description) : v.title,
              product_id: v.product_id,
              product_title: v.title,
              product_handle: v.handle,
              variant_id: v.variant_id,
              variant_sku: l.code,
              variant_title: "Default",
              quantity: l.quantity,
              unit_price: l.unitPrice,
            }
          }),
        }
      })
    )
    const invoiceOf = new Map(created.map((o) => [o.id, (o.metadata as { online_retail_invoice: string }).online_retail_invoice]))
    await setCreatedAt(created.map((o) => ({ id: o.id, created_at: placedAt(invoiceOf.get(o.id)!) })))
    createdOrders += batch.length
    logger.info(`seed-demo: orders ${createdOrders + done.size}/${invoices.length} (${elapsed()})`)
  }

  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        metadata: {
          ...(store.metadata ?? {}),
          [DEMO_SHIFT_KEY]: shift,
          [DEMO_SEEDED_KEY]: new Date().toISOString(),
          personalization_demo_counts: {
            products: codes.length,
            customers: customerIds.length,
            orders: invoices.length,
            lines: lines.length,
          },
        },
      },
    },
  })
  logger.info(
    `seed-demo: done in ${elapsed()}: ${codes.length} products, ${customerIds.length} customers, ` +
      `${invoices.length} orders (${lines.length} lines), publishable key "${DEMO_KEY_TITLE}"`
  )
}
