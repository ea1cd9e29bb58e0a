import { type ParseArgsConfig, parseArgs } from "node:util"
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

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>
type WithHelp<O extends OptionSpecs> = O & { help: { type: "boolean"; default: false } }
type Values<O extends OptionSpecs> = ReturnType<typeof parseArgs<{ args: string[]; options: WithHelp<O>; strict: true }>>["values"]

/**
 * Parses a command's arguments the same way for every command: unknown or malformed flags and
 * missing required ones print the message and the usage on stderr (exit code 2); --help prints
 * the usage on stdout (exit code 0). Returns the values, or the exit code to return.
 */
export function parseCommand<O extends OptionSpecs, R extends keyof O & string = never>(
  argv: string[],
  options: O,
  usage: string,
  io: CliIo,
  required: readonly R[] = []
): { values: Values<O> & Record<R, string> } | { exit: number } {
  let values: Values<O>
  try {
    values = parseArgs({ args: argv, options: { ...options, help: { type: "boolean", default: false } } as WithHelp<O>, strict: true })
      .values as Values<O>
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${usage}\n`)
    return { exit: 2 }
  }
  if ((values as { help?: boolean }).help) {
    io.stdout(`${usage}\n`)
    return { exit: 0 }
  }
  const missing = required.filter((name) => (values as Record<string, unknown>)[name] === undefined)
  if (missing.length) {
    io.stderr(`${missing.map((name) => `--${name}`).join(" and ")} ${missing.length > 1 ? "are" : "is"} required\n${usage}\n`)
    return { exit: 2 }
  }
  // Checked just above: every required (string) flag is present.
  return { values: values as Values<O> & Record<R, string> }
}
