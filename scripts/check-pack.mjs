#!/usr/bin/env node
/**
 * The package as npm would publish it: `medusa plugin:build`, `npm pack`, then
 *   - every file in the tarball is checked for references to files outside the package (the
 *     package must stand alone): paths that climb out of it into a sibling folder, absolute
 *     paths into a checkout, and documents the repository does not ship;
 *   - every `exports` entry must resolve to a file in the tarball (a "*" pattern to at least one);
 *   - the tarball is installed into an empty project (peer dependencies left out: the CLI needs
 *     none of Medusa) and its `medusa-personalization` command is run on the shipped sample.
 * `node scripts/check-pack.mjs` (exit 1 on any failure).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const sample = join(root, "data/online-retail-sample/online-retail-sample.csv.gz")
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true" } })

/** Text that points outside the package: a climb to a sibling folder, or documents that are not shipped. */
const OUTSIDE = [
  { pattern: /\.\.\/shared\//, why: "a path into a folder outside the repository" },
  { pattern: /\/work\/[\w.-]+\//, why: "an absolute path into a checkout" },
  { pattern: /\b(?:EVALUATION|DESIGN|ADMIN)\.md\b/, why: "a document that is not in the repository" },
]

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : [full]
  })
}

/** Problems with what the unpacked package holds. */
export function checkPackage(packageDir) {
  const problems = []
  for (const file of filesUnder(packageDir)) {
    const rel = relative(packageDir, file)
    if (/\.(gz|wasm|png|jpg)$/.test(rel)) continue
    const text = readFileSync(file, "utf8")
    for (const { pattern, why } of OUTSIDE) {
      const match = text.match(pattern)
      if (match) problems.push(`${rel} names ${why}: "${match[0]}"`)
    }
  }
  const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))
  const targets = Object.entries(pkg.exports ?? {}).flatMap(([key, value]) =>
    typeof value === "string" ? [[key, value]] : Object.values(value).map((v) => [key, v])
  )
  const shipped = filesUnder(packageDir).map((f) => `./${relative(packageDir, f)}`)
  for (const [key, target] of targets) {
    if (target.includes("*")) {
      // In "exports", "*" stands for any string, slashes included.
      const pattern = new RegExp(`^${target.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`)
      if (!shipped.some((f) => pattern.test(f))) problems.push(`exports "${key}" -> "${target}" matches no file`)
    } else if (!existsSync(join(packageDir, target))) {
      problems.push(`exports "${key}" -> "${target}" is not in the package`)
    }
  }
  for (const bin of Object.values(pkg.bin ?? {})) {
    if (!existsSync(join(packageDir, bin))) problems.push(`bin "${bin}" is not in the package`)
  }
  return problems
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const work = mkdtempSync(join(tmpdir(), "pz-pack-"))
  try {
    run("npx", ["medusa", "plugin:build"], root)
    const tarball = run("npm", ["pack", "--pack-destination", work], root).trim().split("\n").pop()
    const unpacked = join(work, "unpacked")
    run("mkdir", ["-p", unpacked], work)
    run("tar", ["-xzf", join(work, tarball), "-C", unpacked], work)
    // The check must catch what it is for: a planted reference and a dangling export.
    const planted = join(work, "planted")
    run("mkdir", ["-p", join(planted, "lib")], work)
    writeFileSync(join(planted, "package.json"), JSON.stringify({ name: "planted", exports: { "./a": "./lib/a.js", "./gone": "./lib/gone.js", "./x/*": "./nope/*.js" } }))
    // Assembled here so that this file itself names no path outside the repository.
    writeFileSync(join(planted, "lib/a.js"), `// see ${["..", "shared", "DESIGN"].join("/")}.md\n`)
    const caught = checkPackage(planted)
    if (caught.length !== 4) throw new Error(`the stand-alone check missed planted problems: ${JSON.stringify(caught)}`)

    const problems = checkPackage(join(unpacked, "package"))
    if (problems.length) throw new Error(`the package does not stand alone:\n  ${problems.join("\n  ")}`)

    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "pack-check", private: true }))
    run("npm", ["install", "--no-audit", "--no-fund", "--legacy-peer-deps", join(work, tarball)], work)
    const help = run("npx", ["medusa-personalization", "--help"], work)
    if (!help.includes("recommend")) throw new Error(`--help does not list the commands:\n${help}`)
    const out = JSON.parse(
      run("npx", ["medusa-personalization", "recommend", "--data", sample, "--customer", "13047", "--n", "3", "--json"], work)
    )
    if (out.recommendations.length !== 3 || !out.recommendations.every((r) => r.reason && r.reason.text)) {
      throw new Error(`unexpected recommendations: ${JSON.stringify(out)}`)
    }
    let failed = false
    try {
      run("npx", ["medusa-personalization", "evaluate", "--cutoff", "2011-06-01"], work)
    } catch (error) {
      failed = error.status === 2
    }
    if (!failed) throw new Error("bad input did not exit with code 2")
    console.log(`pack check: ${tarball} stands alone (no reference outside it, every export resolves), installs, and its CLI runs`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
