import { defineLink } from "@medusajs/framework/utils"
import CustomerModule from "@medusajs/medusa/customer"
import PurchaseFeaturesModule from "../modules/purchase-features"

/** Read-only: features are joined to the customer by their customer_id column, no pivot table. */
export default defineLink(
  { linkable: PurchaseFeaturesModule.linkable.personalizationCustomerFeatures, field: "customer_id" },
  CustomerModule.linkable.customer,
  { readOnly: true }
)
