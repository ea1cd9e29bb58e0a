import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { PURCHASE_FEATURES_MODULE } from "../../../modules/purchase-features"
import type PurchaseFeaturesService from "../../../modules/purchase-features/service"

export type ListAffectedOrdersInput = { customer_id?: string; product_id?: string }

/** Ledger orders that count for or were placed by a customer, or that hold a product. Read only. */
export const listAffectedOrdersStep = createStep(
  "list-affected-purchase-orders",
  async ({ customer_id, product_id }: ListAffectedOrdersInput, { container }) => {
    const service = container.resolve<PurchaseFeaturesService>(PURCHASE_FEATURES_MODULE)
    const ids = [
      ...(customer_id ? await service.listOrderIdsOfCustomer(customer_id) : []),
      ...(product_id ? await service.listOrderIdsOfProduct(product_id) : []),
    ]
    return new StepResponse([...new Set(ids)])
  }
)
