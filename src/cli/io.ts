import { existsSync, statSync } from "node:fs"
import { type ParseArgsConfig, parseArgs } from "node:util"
import { loadOnlineRetail } from "../ml/data/online-retail"
import { loadOrdersCsv } from "../ml/data/orders-csv"
import type { PurchaseLine } from "../ml/data/purchase-line"
import { formatTimestamp } from "../ml/data/time"

/**
 * Bad input a person can fix: a missing or malformed file, a flag out of range. Its message
 * names the flag, or the file and line. `main` prints it and exits with code 2; any other
 * error is the program's fault and exits with code 1.
 */
export class CliInputError extends Error {
  readonly exitCode = 2
  constructor(message: string) {
    super(message)
    this.name = "CliInputError"
  }
}

/** What a subcommand may touch: its output streams and, replaceable in tests, the file loader. */
/** A file's cleaned lines and, where the file names them, product titles by product id. */
export type LoadedData = { lines: PurchaseLine[]; titles: Map<string, string> }

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  load?: (path: string, format: string) => PurchaseLine[] | LoadedData
  /** Whether stderr is a terminal (progress bars redraw one line); default false. */
  tty?: boolean
}

/**
 * Cleaned purchase lines of an Online Retail file or a generic orders CSV (.csv or .csv.gz).
 * Throws CliInputError naming `--data` for a missing or unreadable file, a file without the
 * format's columns, a bad row (with its line), and a file that leaves no purchase line.
 */
export function loadLines(path: string, format: string): LoadedData {
  if (format !== "online-retail" && format !== "orders") throw new CliInputError(`--format must be online-retail or orders, got "${format}"`)
  if (!existsSync(path)) throw new CliInputError(`--data: no such file: ${path}`)
  if (statSync(path).isDirectory()) throw new CliInputError(`--data: ${path} is a folder, not an order file`)
  let data: LoadedData
  try {
    if (format === "orders") {
      const parsed = loadOrdersCsv(path)
      data = { lines: parsed.lines, titles: parsed.titles }
    } else {
      const parsed = loadOnlineRetail(path)
      data = { lines: parsed.lines, titles: parsed.descriptions }
    }
  } catch (e) {
    // The parsers say what is wrong and where (a missing column, "row 12: bad quantity").
    throw new CliInputError(`--data ${path}: ${(e as Error).message}`)
  }
  if (!data.lines.length) throw new CliInputError(`--data ${path}: no purchase lines (an empty file, or every row dropped by the ${format} cleaning rules)`)
  return data
}

/** The data to work on: the test loader's (CliIo.load) or the file's. */
export function loadData(io: CliIo, path: string, format: string): LoadedData {
  const loaded = (io.load ?? loadLines)(path, format)
  const data = Array.isArray(loaded) ? { lines: loaded, titles: new Map<string, string>() } : loaded
  if (!data.lines.length) throw new CliInputError(`--data ${path}: no purchase lines`)
  return data
}

/**
 * Checks a cutoff against the data's span: lines before it are needed to learn from and, with
 * `needLater`, lines at or after it to test on. Throws CliInputError naming the flag and the
 * data's first and last times.
 */
export function checkCutoff(lines: readonly PurchaseLine[], cutoff: number, flag: string, { needLater = false } = {}): void {
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const l of lines) {
    if (l.time < first) first = l.time
    if (l.time > last) last = l.time
  }
  const span = `the data runs from ${formatTimestamp(first)} to ${formatTimestamp(last)}`
  if (!(cutoff > first)) throw new CliInputError(`${flag} ${formatTimestamp(cutoff)} is not after the first line: ${span}, so there is nothing before it to learn from`)
  if (needLater && !(cutoff <= last)) throw new CliInputError(`${flag} ${formatTimestamp(cutoff)} is after the last line: ${span}, so there is nothing after it to test on`)
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
