export { LedgerOrder } from "./ledger-order"
export { LedgerOrderLine } from "./ledger-order-line"
export { CustomerFeatures } from "./customer-features"
export { CustomerProduct } from "./customer-product"
