import { readFile } from "node:fs/promises"
import path from "node:path"
import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { configuredOptions } from "../../../../lib/configured-options"

// From src (develop, tests) the widget sits four folders up; a built plugin runs from
// .medusa/server/src, and the widget stays in the package's own src/storefront.
const candidates = [
  path.resolve(__dirname, "../../../../storefront/recommendations-strip.js"),
  path.resolve(__dirname, "../../../../../../../src/storefront/recommendations-strip.js"),
]
let source: Promise<string | null> | undefined

async function widgetSource(): Promise<string | null> {
  for (const file of candidates) {
    try {
      return await readFile(file, "utf8")
    } catch {
      // not in this layout: try the next
    }
  }
  return null
}

/**
 * GET /personalization/storefront-demo/recommendations-strip.js: the storefront widget
 * (src/storefront/recommendations-strip.js) as an ES module, for the demo page. Served only
 * with the `storefrontDemo` option (404 otherwise); a shop serves the file from its storefront.
 */
export async function GET(_req: MedusaRequest, res: MedusaResponse) {
  if (!configuredOptions().storefrontDemo) throw new MedusaError(MedusaError.Types.NOT_FOUND, "The storefront demo is off (option storefrontDemo)")
  source ??= widgetSource()
  const text = await source
  if (text === null) {
    source = undefined
    throw new MedusaError(MedusaError.Types.NOT_FOUND, "recommendations-strip.js is not in this installation")
  }
  res.setHeader("Content-Type", "text/javascript; charset=utf-8")
  res.setHeader("X-Content-Type-Options", "nosniff")
  res.setHeader("Cache-Control", "public, max-age=300")
  res.send(text)
}
