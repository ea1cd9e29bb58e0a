/**
 * Input checks shared by every route of the plugin: a middleware that refuses what no field
 * may hold (NUL characters, unpaired surrogates, bad percent-encoding, a body that is not a JSON
 * object), and zod field helpers that parse strictly and name their field in every message
 * (Medusa's validators print a custom message as it is).
 */
import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "@medusajs/framework/zod"

/**
 * The plugin's routes, as one RegExp without capture groups: Express decodes only captured
 * parameters, so a path with bad percent-encoding reaches this middleware instead of throwing
 * while a route with `:id` is matched.
 */
export const PLUGIN_ROUTES = /^\/(?:admin\/personalization|store\/recommendations|store\/products\/[^/]+\/recommendations|personalization)(?:\/|$)/

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a string cannot be stored or compared as text, or null when it can. */
function badText(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain NUL characters"
  if (UNPAIRED_SURROGATE.test(value)) return "must be valid UTF-8 text"
  return null
}

/** A query key as a message may show it: decoded when it can be, and without its [] suffixes. */
function safeKey(key: string): string {
  let decoded = key
  try {
    decoded = decodeURIComponent(key)
  } catch {
    // keep it as written
  }
  return decoded.replace(/\[.*$/, "").replace(/[^\w.-]/g, "?") || "query"
}

function invalid(field: string, message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: ${field || "body"}: ${message}`)
}

/** The first bad string anywhere in `value` (keys included), with its path. */
function findBadText(value: unknown, path: string, depth = 0): { field: string; message: string } | null {
  if (depth > 20) return { field: path, message: "is nested too deeply" }
  if (typeof value === "string") {
    const message = badText(value)
    return message ? { field: path, message } : null
  }
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const field = path ? `${path}.${key}` : key
      const keyMessage = badText(key)
      if (keyMessage) return { field, message: `name ${keyMessage}` }
      const found = findBadText(inner, field, depth + 1)
      if (found) return found
    }
  }
  return null
}

/**
 * Refuses, with 400 naming the field, any request to a plugin route whose path, query or body
 * holds text that is not text, and a body that is not a JSON object. Runs before the routes'
 * own validators, so that no such value reaches the database.
 */
export function rejectMalformedInput(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  try {
    const [path, rawQuery = ""] = (req.originalUrl ?? req.url).split(/\?(.*)/s)
    for (const segment of path.split("/")) {
      let decoded: string
      try {
        decoded = decodeURIComponent(segment)
      } catch {
        throw invalid("path", "has bad percent-encoding")
      }
      const message = badText(decoded)
      if (message) throw invalid("path", message)
    }
    // The query parser keeps a value it cannot decode as raw text: refuse it by its key instead.
    for (const pair of rawQuery.split("&")) {
      const [key, value = ""] = pair.split(/=(.*)/s)
      for (const part of [key, value]) {
        try {
          decodeURIComponent(part.replace(/\+/g, " "))
        } catch {
          throw invalid(safeKey(key), "has bad percent-encoding")
        }
      }
    }
    const query = findBadText(req.query, "")
    if (query) throw invalid(query.field, query.message)
    if (req.body !== undefined && ["POST", "PUT", "PATCH", "DELETE"].includes(req.method)) {
      if (req.body === null || typeof req.body !== "object" || Array.isArray(req.body)) throw invalid("body", "must be a JSON object")
      const body = findBadText(req.body, "")
      if (body) throw invalid(body.field, body.message)
    }
    next()
  } catch (error) {
    next(error)
  }
}

// --- field helpers ----------------------------------------------------------------------------

/** A text field: 1 to `max` characters. */
export const text = (field: string, { max = 200 }: { max?: number } = {}) =>
  z.string({ error: `${field}: must be text` }).min(1, `${field}: must not be empty`).max(max, `${field}: must be at most ${max} characters`)

/**
 * A whole number from a query string, strictly: decimal digits only ("0x10", "1e2", " 5" and
 * arrays are refused), from `min` to `max`.
 */
export const wholeNumber = (field: string, { min, max }: { min: number; max: number }) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\d{1,15}$/.test(v) ? Number(v) : v),
    z
      .number({ error: `${field}: must be a whole number from ${min} to ${max}` })
      .int(`${field}: must be a whole number from ${min} to ${max}`)
      .min(min, `${field}: must be a whole number from ${min} to ${max}`)
      .max(max, `${field}: must be a whole number from ${min} to ${max}`)
  )

/** "true" or "false" in a query string (a JSON boolean in a body). */
export const flag = (field: string) =>
  z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean({ error: `${field}: must be true or false` }))

/** A UTC day, YYYY-MM-DD, that exists. */
export const day = (field: string) =>
  z
    .string({ error: `${field}: must be a date YYYY-MM-DD` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field}: must be a date YYYY-MM-DD`)
    // zod runs every check, so this one must not throw on what the pattern refused.
    .refine((v) => {
      const date = new Date(`${v}T00:00:00Z`)
      return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === v
    }, `${field}: is not a calendar date`)

/** limit/offset of a paginated list, as Medusa's lists answer them. */
export const pagination = ({ defaultLimit = 50, maxLimit = 500 }: { defaultLimit?: number; maxLimit?: number } = {}) => ({
  limit: wholeNumber("limit", { min: 1, max: maxLimit }).default(defaultLimit),
  offset: wholeNumber("offset", { min: 0, max: 1_000_000_000 }).default(0),
})

/** An empty query or body: any field is refused by name. */
export const Nothing = z.object({}).strict()
