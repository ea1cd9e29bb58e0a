import type { LoaderOptions } from "@medusajs/framework/types"
import { registerOptions } from "./configured-options"
import { parsePersonalizationOptions } from "../options"

/**
 * Every module of the plugin runs this loader: it stops boot with a message naming the option
 * when the options are invalid, and registers them for the plugin's jobs and workflows.
 */
export default async function validateOptionsLoader({ options }: LoaderOptions): Promise<void> {
  registerOptions(parsePersonalizationOptions(options))
}
