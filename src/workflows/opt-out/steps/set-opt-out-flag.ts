import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import { createStep, StepResponse } from "@medusajs/framework/workflows-sdk"
import { OPT_OUT_METADATA_KEY } from "../../../lib/store-data"

type Metadata = Record<string, unknown> | null

/**
 * Writes a customer's metadata as a whole. The customer module merges a metadata update into
 * what is stored (a key cannot be removed that way), so a removal first clears the column.
 */
async function writeMetadata(container: MedusaContainer, customerId: string, metadata: Metadata, removes: boolean) {
  const customers = container.resolve(Modules.CUSTOMER)
  if (removes) await customers.updateCustomers(customerId, { metadata: null })
  if (metadata && Object.keys(metadata).length) await customers.updateCustomers(customerId, { metadata })
}

/**
 * Sets (`true`) or removes the customer's opt-out metadata flag, keeping every other key;
 * 404 for an unknown customer. Compensation: puts the metadata back as it was.
 */
export const setOptOutFlagStep = createStep(
  "set-personalization-opt-out-flag",
  async ({ customer_id, opted_out }: { customer_id: string; opted_out: boolean }, { container }) => {
    const [customer] = await container.resolve(Modules.CUSTOMER).listCustomers({ id: customer_id }, { select: ["id", "metadata"], take: 1 })
    if (!customer) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Customer with id: ${customer_id} was not found`)
    const previous = (customer.metadata ?? null) as Metadata
    const { [OPT_OUT_METADATA_KEY]: had, ...rest } = previous ?? {}
    if (opted_out) await writeMetadata(container, customer_id, { ...rest, [OPT_OUT_METADATA_KEY]: true }, false)
    else if (had !== undefined) await writeMetadata(container, customer_id, rest, true)
    return new StepResponse({ customer_id, opted_out }, { customer_id, previous })
  },
  async (data, { container }) => {
    if (!data) return
    await writeMetadata(container, data.customer_id, data.previous, true)
  }
)
