/**
 * A strip of recommended products for any storefront page: a plain browser ES module, no
 * build step, no dependencies.
 *
 *   import { renderRecommendations } from "/path/to/recommendations-strip.js"
 *   renderRecommendations(document.getElementById("recs"), { publishableKey: "pk_...", productId, type: "bought_together" })
 *
 * Which list: `productId` with `type` ("related" | "bought_together") asks for the product's
 * list; otherwise GET /store/recommendations, which is the customer's personal list when
 * `token` (a customer JWT) or a session cookie logs them in, the viewed product's related list
 * for `productId` alone, and trending for everyone else. Every string of the answer goes in
 * through textContent or a property, never innerHTML. When the request fails the element stays
 * empty: a missing strip is better than an error in front of a shopper.
 *
 * Cards are <a class="pz-card"> inside <div class="pz-strip">, with .pz-title, .pz-price and
 * .pz-reason; only the layout is set inline (through CSSOM, which a CSP without
 * 'unsafe-inline' allows), so a shop styles the rest with its own CSS.
 */

const rendering = new WeakMap() // element -> its latest render, so a slow older answer never overwrites a newer one

/**
 * Fetches and renders recommendations into `element`, replacing its content. Resolves to
 * `{ list, count }` of what was shown, or null when nothing could be loaded.
 *
 * options: baseUrl ("" = same origin), publishableKey (required), limit (default 8, at most 50),
 * productId, type, token, regionId (prices in that region), title (a heading shown only with
 * cards), locale (price format; default the browser's), productHref(product) (link of a card;
 * default /products/<handle>), onEvent({ type, recommendation_ids, status }) after an
 * impression or click was posted (status 0 when the request failed; a click that leaves the
 * page may report nothing, while its keepalive request still arrives). The impression is
 * posted once, when half the strip is in view.
 */
export async function renderRecommendations(element, options) {
  const { baseUrl = "", publishableKey, limit = 8, productId, type, token, regionId, title, locale, onEvent } = options
  const productHref = options.productHref ?? ((p) => `/products/${encodeURIComponent(p.handle ?? p.id)}`)
  const ticket = {}
  rendering.set(element, ticket)
  element.replaceChildren()

  const headers = { "x-publishable-api-key": publishableKey }
  if (token) headers.authorization = `Bearer ${token}`
  const query = new URLSearchParams({ limit: String(limit) })
  if (regionId) query.set("region_id", regionId)
  let path = "/store/recommendations"
  if (productId && type) {
    path = `/store/products/${encodeURIComponent(productId)}/recommendations`
    query.set("type", type)
  } else if (productId) {
    query.set("product_id", productId)
  }

  let data
  try {
    const response = await fetch(`${baseUrl}${path}?${query}`, { headers, credentials: "include" })
    if (!response.ok) return null
    data = await response.json()
  } catch {
    return null
  }
  if (rendering.get(element) !== ticket) return null
  const items = Array.isArray(data?.recommendations) ? data.recommendations : []
  if (!items.length) return { list: data?.list ?? null, count: 0 }

  const sendEvent = (eventType, ids) =>
    fetch(`${baseUrl}/store/recommendations/events`, {
      method: "POST",
      keepalive: true, // a click usually leaves the page: the request must outlive it
      credentials: "include",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ type: eventType, recommendation_ids: ids }),
    })
      .then((r) => r.status, () => 0)
      .then((status) => onEvent?.({ type: eventType, recommendation_ids: ids, status }))

  const strip = el("div", "pz-strip")
  Object.assign(strip.style, { display: "flex", gap: "1rem", overflowX: "auto" })
  for (const item of items) {
    const product = item.product ?? {}
    const card = el("a", "pz-card")
    card.href = productHref(product)
    Object.assign(card.style, { flex: "0 0 10rem", display: "flex", flexDirection: "column", gap: "0.25rem" })
    if (product.thumbnail) {
      const img = el("img", "pz-thumbnail")
      img.src = product.thumbnail
      img.alt = ""
      img.loading = "lazy"
      img.style.width = "100%"
      card.append(img)
    }
    card.append(el("span", "pz-title", product.title ?? ""))
    const price = formatPrice(product.variants?.[0]?.calculated_price, locale)
    if (price) card.append(el("span", "pz-price", price))
    if (item.reason?.text) card.append(el("span", "pz-reason", item.reason.text))
    card.addEventListener("click", () => sendEvent("click", [item.recommendation_id]))
    strip.append(card)
  }
  if (title) element.append(el("h2", "pz-heading", title))
  element.append(strip)
  whenSeen(strip, () => {
    // A newer render replaced this strip before anyone saw it: nothing was shown.
    if (rendering.get(element) === ticket) sendEvent("impression", items.map((i) => i.recommendation_id))
  })
  return { list: data.list, count: items.length }
}

/**
 * Calls `seen` once, when at least half of `node` is in the
 * viewport: an impression is a strip a shopper could see, not one rendered below the fold and
 * never scrolled to. Without IntersectionObserver (old browsers) it counts at once.
 */
function whenSeen(node, seen) {
  if (typeof IntersectionObserver !== "function") return seen()
  const observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting && e.intersectionRatio >= 0.5)) {
        observer.disconnect()
        seen()
      }
    },
    { threshold: 0.5 }
  )
  observer.observe(node)
}

function el(tag, className, text) {
  const node = document.createElement(tag)
  node.className = className
  if (text !== undefined) node.textContent = String(text)
  return node
}

/** Medusa v2 amounts are in major units (10 = 10.00). */
function formatPrice(price, locale) {
  if (!price || typeof price.calculated_amount !== "number" || !price.currency_code) return ""
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: price.currency_code.toUpperCase() }).format(price.calculated_amount)
  } catch {
    return ""
  }
}
