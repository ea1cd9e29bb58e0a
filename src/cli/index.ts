#!/usr/bin/env node
/**
 * medusa-personalization: the plugin's algorithms on an order file, without a store.
 * Results on stdout (JSON with --json), progress and errors on stderr. Exit codes: 0 success,
 * 2 bad input (the message names the flag, or the file and line), 1 an internal error.
 */
import { runEvaluate } from "./evaluate"
import { CliInputError, type CliIo } from "./io"
import { runRecommend } from "./recommend"
import { runSegment } from "./segment"

const COMMANDS: Record<string, { summary: string; run: (argv: string[], io: CliIo) => number | Promise<number> }> = {
  evaluate: { summary: "measure every recommender on a temporal split (docs/evaluation.md)", run: runEvaluate },
  recommend: { summary: "recommendations with reasons for a customer, or next to a product", run: runRecommend },
  segment: { summary: "customer segments and how they separate future buying", run: runSegment },
}

const io: CliIo = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY),
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === "--help" || command === "-h" || command === "help") {
    io.stdout(
      "usage: medusa-personalization <command> [options]\n\ncommands:\n" +
        Object.entries(COMMANDS)
          .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
          .join("\n") +
        "\n\n`medusa-personalization <command> --help` shows a command's options.\n"
    )
    return command ? 0 : 2
  }
  const entry = COMMANDS[command]
  if (!entry) {
    io.stderr(`unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(", ")}\n`)
    return 2
  }
  return runCommand(() => entry.run(rest, io), io)
}

/** Runs a command, mapping a CliInputError to exit code 2 with its message and anything else to 1. */
export async function runCommand(run: () => number | Promise<number>, io: Pick<CliIo, "stderr">): Promise<number> {
  try {
    return await run()
  } catch (e) {
    if (e instanceof CliInputError) {
      io.stderr(`${e.message}\n`)
      return 2
    }
    io.stderr(`internal error: ${(e as Error).stack ?? e}\n`)
    return 1
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`)
      process.exitCode = 1
    }
  )
}
