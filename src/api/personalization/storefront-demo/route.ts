import { randomBytes } from "node:crypto"
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { configuredOptions } from "../../../lib/configured-options"

/**
 * The page reads everything it needs (publishable key, product id, region id) from its own
 * query string in the browser: the server puts no request data and no secret into the HTML,
 * so there is nothing to escape on this side. Only the nonce changes per response.
 */
const page = (nonce: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Recommendations: storefront demo</title>
<style nonce="${nonce}">
  body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
  section { margin-bottom: 2rem; }
  .pz-card { border: 1px solid #ddd; border-radius: 6px; padding: 0.75rem; color: inherit; text-decoration: none; }
  .pz-card:hover { border-color: #888; }
  .pz-title { font-weight: 600; }
  .pz-reason { font-size: 0.85rem; color: #666; }
  #events { font-size: 0.8rem; color: #666; }
</style>
</head>
<body>
<h1 id="heading">Recommended products</h1>
<p id="help" hidden>Open this page with a publishable key: <code>?key=pk_...</code>, and <code>&amp;product_id=prod_...</code> for a product page (<code>&amp;region_id=reg_...</code> for prices).</p>
<main id="strips"></main>
<h2>Events sent</h2>
<ol id="events"></ol>
<script type="module" nonce="${nonce}">
import { renderRecommendations } from "/personalization/storefront-demo/recommendations-strip.js"

const params = new URLSearchParams(location.search)
const key = params.get("key")
const productId = params.get("product_id")
const regionId = params.get("region_id") || undefined

if (!key) {
  document.getElementById("help").hidden = false
} else {
  // A card opens the demo page of its product, so the strips can be followed from product to product.
  const productHref = (p) => "?" + new URLSearchParams({ key, product_id: p.id, ...(regionId ? { region_id: regionId } : {}) })
  const onEvent = (e) => {
    const li = document.createElement("li")
    li.dataset.type = e.type
    li.textContent = e.type + ": " + e.recommendation_ids.length + " item(s), HTTP " + e.status
    document.getElementById("events").append(li)
  }
  const strip = (id, title, which) => {
    const section = document.createElement("section")
    section.id = id
    document.getElementById("strips").append(section)
    return renderRecommendations(section, { publishableKey: key, regionId, limit: 6, title, productHref, onEvent, ...which })
  }
  if (productId) {
    fetch("/store/products/" + encodeURIComponent(productId) + "?fields=title", { headers: { "x-publishable-api-key": key } })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => { if (body) document.getElementById("heading").textContent = body.product.title }, () => {})
    strip("bought-together", "Frequently bought together", { productId, type: "bought_together" })
    strip("related", "Related products", { productId, type: "related" })
  } else {
    strip("for-you", "Recommended for you", {})
  }
}
</script>
</body>
</html>
`

/**
 * GET /personalization/storefront-demo?key=pk_...&product_id=...: a page that shows the
 * storefront widget against this server (same origin, so no CORS setup). Outside /store so
 * that the page itself needs no publishable key; the strips send the one from the address.
 * Served only with the `storefrontDemo` option (the dev app turns it on); 404 otherwise.
 */
export async function GET(_req: MedusaRequest, res: MedusaResponse) {
  if (!configuredOptions().storefrontDemo) throw new MedusaError(MedusaError.Types.NOT_FOUND, "The storefront demo is off (option storefrontDemo)")
  const nonce = randomBytes(16).toString("base64")
  res.setHeader("Content-Type", "text/html; charset=utf-8")
  res.setHeader(
    "Content-Security-Policy",
    [
      "default-src 'none'",
      `script-src 'self' 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      "img-src 'self' https: data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; ")
  )
  res.setHeader("X-Content-Type-Options", "nosniff")
  res.setHeader("Referrer-Policy", "no-referrer")
  res.setHeader("Cache-Control", "no-store")
  res.send(page(nonce))
}
