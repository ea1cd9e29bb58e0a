/** One cleaned purchase line, the common input of every model in src/ml. */
export interface PurchaseLine {
  /** Order (invoice) id; lines of one order share it. */
  orderId: string
  customerId: string
  productId: string
  /** Units bought, > 0. */
  quantity: number
  /** Line amount in the shop's currency: quantity x unit price. */
  amount: number
  /** Milliseconds since the Unix epoch; a time written without a zone is read as UTC. */
  time: number
}
