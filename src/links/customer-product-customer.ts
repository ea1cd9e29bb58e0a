import { defineLink } from "@medusajs/framework/utils"
import CustomerModule from "@medusajs/medusa/customer"
import PurchaseFeaturesModule from "../modules/purchase-features"

/** Read-only: an interaction row is joined to its customer by customer_id, no pivot table. */
export default defineLink(
  { linkable: PurchaseFeaturesModule.linkable.personalizationCustomerProduct, field: "customer_id" },
  CustomerModule.linkable.customer,
  { readOnly: true }
)
