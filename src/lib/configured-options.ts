import { configManager } from "@medusajs/framework/config"
import { parsePersonalizationOptions, PLUGIN_NAME, type PersonalizationOptions } from "../options"

type ConfigEntry = { resolve?: string; options?: Record<string, unknown> } | string

const entries = (list: unknown): ConfigEntry[] =>
  Array.isArray(list) ? list : list && typeof list === "object" ? Object.values(list) : []

/**
 * The plugin options as the loaded medusa-config declares them: the `plugins` entry of
 * this package, or (in this repository's dev app) the options of its purchase-features
 * module. Used at import time by job files, which receive no options themselves.
 */
export function readConfiguredOptions(): PersonalizationOptions {
  let config: { plugins?: unknown; modules?: unknown } | undefined
  try {
    config = configManager.config
  } catch {
    // No config loaded (a unit test importing a job file): the defaults apply.
    return parsePersonalizationOptions({})
  }
  const plugin = entries(config?.plugins).find(
    (entry) => typeof entry === "object" && entry.resolve === PLUGIN_NAME
  )
  const module = entries(config?.modules).find(
    (entry) => typeof entry === "object" && /purchase-features$/.test(entry.resolve ?? "")
  )
  const options = (typeof plugin === "object" && plugin.options) || (typeof module === "object" && module.options)
  return parsePersonalizationOptions(options || {})
}
