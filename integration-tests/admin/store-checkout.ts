/**
 * Orders placed the way a storefront places them: a customer logs in through the store's auth
 * route, makes a cart with the publishable key, adds an item, applies a promotion code if
 * given, pays with Medusa's system provider and completes the cart. Nothing is written behind
 * Medusa's back, so the plugin's ledger counts these orders through its `order.placed` handling.
 */
export type StoreContext = { baseUrl: string; publishableKey: string; regionId: string; variantId: string }

type Json = Record<string, any>

async function call(baseUrl: string, path: string, { method = "GET", body, headers = {} }: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Json> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const json = text ? JSON.parse(text) : {}
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`)
  return json
}

/** A customer's store token (the demo gives every seeded customer the same password). */
export async function customerToken(baseUrl: string, email: string, password: string): Promise<string> {
  const { token } = await call(baseUrl, "/auth/customer/emailpass", { method: "POST", body: { email, password } })
  return token
}

/**
 * Places one order for the logged-in customer and returns it with the promotion codes the cart
 * carried and its discount. `code` is applied first when given (Medusa ignores a code whose rules
 * the customer does not meet, so a control customer's cart gets no discount).
 */
export async function placeOrder(ctx: StoreContext, token: string, { code, quantity = 1 }: { code?: string; quantity?: number } = {}) {
  const headers = { "x-publishable-api-key": ctx.publishableKey, authorization: `Bearer ${token}` }
  const { cart } = await call(ctx.baseUrl, "/store/carts", { method: "POST", headers, body: { region_id: ctx.regionId } })
  await call(ctx.baseUrl, `/store/carts/${cart.id}/line-items`, { method: "POST", headers, body: { variant_id: ctx.variantId, quantity } })
  let discount = 0
  let codes: string[] = []
  if (code) {
    const applied = await call(ctx.baseUrl, `/store/carts/${cart.id}/promotions`, { method: "POST", headers, body: { promo_codes: [code] } })
    discount = applied.cart.discount_total
    codes = (applied.cart.promotions ?? []).map((p: Json) => p.code)
  }
  const { payment_collection } = await call(ctx.baseUrl, "/store/payment-collections", { method: "POST", headers, body: { cart_id: cart.id } })
  await call(ctx.baseUrl, `/store/payment-collections/${payment_collection.id}/payment-sessions`, { method: "POST", headers, body: { provider_id: "pp_system_default" } })
  const completed = await call(ctx.baseUrl, `/store/carts/${cart.id}/complete`, { method: "POST", headers })
  if (completed.type !== "order") throw new Error(`cart ${cart.id} did not complete: ${JSON.stringify(completed.error ?? completed).slice(0, 300)}`)
  return { order: completed.order as Json, discount, codes }
}
