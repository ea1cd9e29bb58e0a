import type { LoaderOptions } from "@medusajs/framework/types"
import { parsePersonalizationOptions } from "../../../options"

/** Stops boot with a message naming the option when the plugin options are invalid. */
export default async function validateOptionsLoader({ options }: LoaderOptions): Promise<void> {
  parsePersonalizationOptions(options)
}
