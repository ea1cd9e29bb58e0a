import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { runEvaluate } from "../evaluate"
import { runCommand } from "../index"
import { runRecommend } from "../recommend"
import { runSegment } from "../segment"

/**
 * The command line's one exit-code contract, on real files: 0 success, 2 bad input with a
 * message naming the flag or the file and line, 1 an internal error.
 */
const HEADER = "order_id,customer_id,product_id,quantity,unit_price,created_at"
let dir: string
const file = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

/** A tiny store: two customers, two products, orders in January and March 2026. */
function orders() {
  return file(
    "orders.csv",
    [HEADER, "o1,c1,p1,1,10,2026-01-05", "o2,c2,p1,2,10,2026-01-10", "o2,c2,p2,1,5,2026-01-10", "o3,c1,p2,1,5,2026-03-01", "o4,c2,p1,1,10,2026-03-02"].join("\n")
  )
}

async function cli(run: (argv: string[], io: { stdout: (s: string) => void; stderr: (s: string) => void }) => number | Promise<number>, argv: string[]) {
  let stdout = ""
  let stderr = ""
  const io = { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) }
  const code = await runCommand(() => run(argv, io), io)
  return { code, stdout, stderr }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pz-cli-"))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("exit codes and messages", () => {
  it("a missing file: 2, naming --data and the path", async () => {
    const r = await cli(runEvaluate, ["--data", join(dir, "nope.csv"), "--format", "orders", "--cutoff", "2026-02-01"])
    expect(r).toMatchObject({ code: 2, stderr: `--data: no such file: ${join(dir, "nope.csv")}\n` })
  })

  it("a file without the format's columns: 2, naming the file and the column", async () => {
    const path = file("wrong.csv", "id,who,what\n1,2,3\n")
    const r = await cli(runEvaluate, ["--data", path, "--format", "orders", "--cutoff", "2026-02-01"])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`--data ${path}: orders CSV: missing column "order_id" (header: id,who,what)\n`)
  })

  it("a bad row: 2, naming the file and the row", async () => {
    const path = file("bad.csv", `${HEADER}\no1,c1,p1,1,10,2026-01-05\no2,c2,p1,two,10,2026-01-10\n`)
    const r = await cli(runRecommend, ["--data", path, "--format", "orders", "--customer", "c1"])
    expect(r).toMatchObject({ code: 2, stderr: `--data ${path}: orders CSV row 3: bad quantity "two"\n` })
  })

  it("an empty file, or one the cleaning empties: 2, saying there are no purchase lines", async () => {
    const empty = file("empty.csv", "")
    expect(await cli(runSegment, ["--data", empty, "--format", "orders", "--cutoff", "2026-02-01"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`--data ${empty}: no purchase lines`),
    })
    const returns = file("returns.csv", `${HEADER}\no1,c1,p1,-1,10,2026-01-05\n`)
    expect((await cli(runEvaluate, ["--data", returns, "--format", "orders", "--cutoff", "2026-02-01"])).code).toBe(2)
  })

  it("a cutoff before the data: 2 for every command, with the data's span", async () => {
    const path = orders()
    for (const [run, extra] of [
      [runEvaluate, []],
      [runSegment, []],
      [runRecommend, ["--customer", "c1"]],
    ] as const) {
      const r = await cli(run, ["--data", path, "--format", "orders", "--cutoff", "2025-06-01", ...extra])
      expect(r.code).toBe(2)
      expect(r.stderr).toBe(
        "--cutoff 2025-06-01 00:00:00 is not after the first line: the data runs from 2026-01-05 00:00:00 to 2026-03-02 00:00:00, so there is nothing before it to learn from\n"
      )
      expect(r.stdout).toBe("")
    }
  })

  it("a cutoff after the data: 2 for evaluate (nothing to test on); segment warns and prints no NaN", async () => {
    const path = orders()
    const evaluate = await cli(runEvaluate, ["--data", path, "--format", "orders", "--cutoff", "2026-06-01"])
    expect(evaluate.code).toBe(2)
    expect(evaluate.stderr).toContain("--cutoff 2026-06-01 00:00:00 is after the last line: the data runs from 2026-01-05 00:00:00 to 2026-03-02 00:00:00")
    const segment = await cli(runSegment, ["--data", path, "--format", "orders", "--cutoff", "2026-06-01", "--k", "2"])
    expect(segment.code).toBe(0)
    expect(segment.stderr).toContain("warning: no line at or after --cutoff 2026-06-01 00:00:00")
    expect(segment.stdout).not.toMatch(/NaN|buy-again rate/)
    expect(segment.stdout).toMatch(/seg-\d .*: \d customers\n/)
  })

  it("a product with no purchases: 2, naming --product", async () => {
    const r = await cli(runRecommend, ["--data", orders(), "--format", "orders", "--product", "p9"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("--product p9 has no purchases before the cutoff")
  })

  it("an internal error: 1", async () => {
    const r = await cli(() => {
      throw new TypeError("a bug")
    }, [])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^internal error: TypeError: a bug/)
  })

  it("the installed command exits 2 on a missing file, naming --data", () => {
    const bin = resolve(__dirname, "../../../bin/medusa-personalization.js")
    const run = spawnSync("node", [bin, "evaluate", "--data", join(dir, "missing.csv.gz"), "--cutoff", "2026-01-01"], { encoding: "utf8" })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`--data: no such file: ${join(dir, "missing.csv.gz")}`)
  })
})
