import { defineLink } from "@medusajs/framework/utils"
import ProductModule from "@medusajs/medusa/product"
import PurchaseFeaturesModule from "../modules/purchase-features"

/** Read-only: an interaction row is joined to its product by product_id, no pivot table. */
export default defineLink(
  { linkable: PurchaseFeaturesModule.linkable.personalizationCustomerProduct, field: "product_id" },
  ProductModule.linkable.product,
  { readOnly: true }
)
