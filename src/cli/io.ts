import { loadOnlineRetail } from "../ml/data/online-retail"
import { loadOrdersCsv } from "../ml/data/orders-csv"
import type { PurchaseLine } from "../ml/data/purchase-line"

/** What a subcommand may touch: its output streams and, replaceable in tests, the file loader. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  load?: (path: string, format: string) => PurchaseLine[]
  /** Whether stderr is a terminal (progress bars redraw one line); default false. */
  tty?: boolean
}

/** Cleaned purchase lines of an Online Retail file or a generic orders CSV (.csv or .csv.gz). */
export function loadLines(path: string, format: string): PurchaseLine[] {
  if (format === "online-retail") return loadOnlineRetail(path).lines
  if (format === "orders") return loadOrdersCsv(path).lines
  throw new RangeError(`--format must be online-retail or orders, got "${format}"`)
}
