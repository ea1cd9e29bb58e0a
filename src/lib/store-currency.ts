import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { PURCHASE_FEATURES_MODULE } from "../modules/purchase-features"
import type PurchaseFeaturesService from "../modules/purchase-features/service"

/**
 * The currency money features count in: the currencyCode option, else the default currency of
 * the first store, through Medusa's Store module (the feature module never reads the store).
 * Every caller of a module method that needs it resolves it here.
 */
export async function resolveStoreCurrency(container: MedusaContainer): Promise<string> {
  const option = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE).options.currencyCode
  if (option) return option
  const stores = await container
    .resolve(Modules.STORE)
    .listStores({}, { relations: ["supported_currencies"], order: { created_at: "ASC" }, take: 1 })
  const currency = stores[0]?.supported_currencies?.find((c) => c.is_default)?.currency_code
  if (!currency) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `medusa-plugin-personalization: the store has no default currency; set the "currencyCode" option`
    )
  }
  return currency.toLowerCase()
}
