#!/usr/bin/env node
/**
 * The package as npm would publish it: `medusa plugin:build`, `npm pack`, then
 *   - every file in the tarball is checked for references to files outside the package (the
 *     package must stand alone): paths that climb out of it into a sibling folder, absolute
 *     paths into a checkout, and documents the repository does not ship;
 *   - every `exports` entry must resolve to a file in the tarball (a "*" pattern to at least one);
 *   - the tarball is installed into an empty project (peer dependencies left out: the CLI needs
 *     none of Medusa) and its `medusa-personalization` command is run on the shipped sample;
 *   - every package the built admin extension imports (its bare imports: `plugin:build` leaves
 *     every package of package.json external) is in `dependencies` or `peerDependencies`, or is
 *     one the Medusa admin itself provides to plugins (react, react-router-dom, ...);
 *   - the admin extension builds in a host app: `medusa build --admin-only` in a Medusa project
 *     whose node_modules is a hard-linked copy of the repository's (`cp -al`, no second
 *     install) with the unpacked tarball as node_modules/<package>; the host's entry imports
 *     `<package>/admin`, and every page of src/admin/routes is in the built admin. The time and
 *     peak memory of the build are printed.
 * `node scripts/check-pack.mjs` (exit 1 on any failure).
 */
import { execFileSync } from "node:child_process"
import { builtinModules } from "node:module"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs"
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

/**
 * Packages the Medusa admin resolves for every plugin's admin extension: the admin bundler keeps
 * them external in `plugin:build` and the host's dashboard depends on them
 * (@medusajs/admin-bundler, `plugin()`).
 */
export const ADMIN_PROVIDED = [
  "react",
  "react-dom",
  "react-router-dom",
  "react-router",
  "react-i18next",
  "@medusajs/js-sdk",
  "@medusajs/admin-sdk",
  "@tanstack/react-query",
]

/** The package a bare specifier names ("@a/b/c" -> "@a/b", "x/y" -> "x"); null for relative, absolute and builtins. */
export function packageOf(specifier) {
  if (/^(\.|\/|[a-z]+:)/i.test(specifier) && !specifier.startsWith("node:")) return null
  if (specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0])) return null
  const parts = specifier.split("/")
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]
}

/** Bare imports of built JavaScript: static and dynamic `import`, `export ... from` and `require`. */
export function bareImports(code) {
  const found = new Set()
  const patterns = [
    /\bimport\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"']+)["']/g,
    /\bexport\s*[\w*${}\s,]*?\s*from\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
    /\brequire\(\s*["']([^"']+)["']\s*\)/g,
  ]
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      const name = packageOf(match[1])
      if (name) found.add(name)
    }
  }
  return [...found].sort()
}

/**
 * Packages the admin extension under `adminDir` (the built .medusa/server/src/admin) imports
 * that a shop's install would not bring: not in the package's dependencies or peer dependencies,
 * nor provided by the admin. Returns [{ name, files }].
 */
export function missingAdminDependencies(adminDir, pkg) {
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...ADMIN_PROVIDED])
  const missing = new Map()
  for (const file of existsSync(adminDir) ? filesUnder(adminDir) : []) {
    if (!/\.(m?js|cjs)$/.test(file)) continue
    for (const name of bareImports(readFileSync(file, "utf8"))) {
      if (declared.has(name) || name === pkg.name) continue
      missing.set(name, [...(missing.get(name) ?? []), relative(adminDir, file)])
    }
  }
  return [...missing].map(([name, files]) => ({ name, files }))
}

/** The admin paths of the pages in src/admin/routes (folder names as the admin maps them). */
export function adminRoutePaths(routesDir) {
  if (!existsSync(routesDir)) return []
  return filesUnder(routesDir)
    .filter((file) => /(^|\/)page\.(t|j)sx?$/.test(file))
    .map((file) => {
      const segments = relative(routesDir, dirname(file)).split("/").filter(Boolean)
      return `/${segments
        .filter((s) => !s.startsWith("@"))
        .map((s) => s.replace(/^\[\[(.+)\]\]$/, ":$1?").replace(/^\[\*\]$/, "*").replace(/^\[(.+)\]$/, ":$1").replace(/^\((.+)\)$/, "$1?"))
        .join("/")}`
    })
    .filter((path) => path !== "/")
}

/** Runs `cmd` under GNU time; returns its output with the wall time (s) and peak RSS (kB) of its largest process. */
function timed(cmd, args, cwd) {
  const report = join(cwd, ".time")
  const output = execFileSync("/usr/bin/time", ["-o", report, "-f", "%e %M", cmd, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, MEDUSA_DISABLE_TELEMETRY: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  })
  const [seconds, kb] = readFileSync(report, "utf8").trim().split(/\s+/).slice(-2).map(Number)
  return { output, seconds, kb }
}

/**
 * Builds the packed admin extension in a host app under `work`: a Medusa project with this
 * package as a plugin, node_modules hard-linked from the repository's, the package itself the
 * unpacked tarball. Returns figures for the report; throws when the build fails or misses the
 * package's admin.
 */
export function buildAdminInHost(work, packageDir, pkg) {
  const host = join(work, "host")
  mkdirSync(join(host, "src"), { recursive: true })
  const linkStarted = Date.now()
  // A hard-linked copy: the same files, no second install (same filesystem as the repository).
  execFileSync("cp", ["-al", realpathSync(join(root, "node_modules")), join(host, "node_modules")])
  const linkSeconds = (Date.now() - linkStarted) / 1000
  const installed = join(host, "node_modules", pkg.name)
  rmSync(installed, { recursive: true, force: true })
  cpSync(packageDir, installed, { recursive: true })
  const medusaVersion = JSON.parse(readFileSync(join(root, "node_modules/@medusajs/medusa/package.json"), "utf8")).version
  writeFileSync(
    join(host, "package.json"),
    JSON.stringify({
      name: "pack-check-host",
      private: true,
      dependencies: {
        "@medusajs/medusa": medusaVersion,
        "@medusajs/framework": medusaVersion,
        "@medusajs/admin-sdk": medusaVersion,
        "@medusajs/cli": medusaVersion,
        [pkg.name]: `file:${pkg.name}.tgz`,
      },
    })
  )
  writeFileSync(
    join(host, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2021", module: "Node16", moduleResolution: "Node16", outDir: "./.medusa/server", jsx: "react-jsx", skipLibCheck: true }, include: ["src", "medusa-config.ts"] })
  )
  writeFileSync(
    join(host, "medusa-config.ts"),
    [
      `import { defineConfig } from "@medusajs/framework/utils"`,
      `module.exports = defineConfig({`,
      `  projectConfig: { databaseUrl: "postgres://localhost/pack_check_host_unused", http: { storeCors: "http://localhost:8000", adminCors: "http://localhost:9000", authCors: "http://localhost:9000", jwtSecret: "pack-check", cookieSecret: "pack-check" } },`,
      // The admin is hosted separately in an --admin-only build (and Medusa warns otherwise).
      `  admin: { disable: true },`,
      `  plugins: [{ resolve: ${JSON.stringify(pkg.name)}, options: {} }],`,
      `})`,
      ``,
    ].join("\n")
  )
  let build
  try {
    build = timed(join(host, "node_modules/.bin/medusa"), ["build", "--admin-only"], host)
  } catch (error) {
    throw new Error(`medusa build --admin-only failed in the host app:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
  }
  const outDir = join(host, ".medusa/admin")
  if (!existsSync(join(outDir, "index.html"))) throw new Error(`the host's admin build wrote no index.html:\n${build.output}`)
  const entry = readFileSync(join(host, ".medusa/client/entry.jsx"), "utf8")
  if (!entry.includes(`from "${pkg.name}/admin"`)) {
    throw new Error(`the host's admin does not load the package's admin extension (exports["./admin"]?); its entry:\n${entry}`)
  }
  const bundle = filesUnder(outDir)
    .filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n")
  const routes = adminRoutePaths(join(root, "src/admin/routes"))
  const absent = routes.filter((path) => !bundle.includes(`"${path}"`))
  if (absent.length) throw new Error(`the host's built admin lacks the package's pages: ${absent.join(", ")}`)
  rmSync(host, { recursive: true, force: true })
  return { linkSeconds, buildSeconds: build.seconds, peakMb: Math.round(build.kb / 1024), routes: routes.length }
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

    // The admin extension's imports must come with the package (or with Medusa's admin); the
    // scan must catch a planted undeclared import, a deep import and a dynamic one.
    const pkg = JSON.parse(readFileSync(join(unpacked, "package/package.json"), "utf8"))
    const plantedAdmin = join(planted, "admin")
    mkdirSync(join(plantedAdmin, "_chunks"), { recursive: true })
    writeFileSync(join(plantedAdmin, "index.mjs"), `import { jsx } from "react/jsx-runtime"\nimport x from "left-pad"\nimport "./_chunks/a.mjs"\nimport fs from "node:fs"\n`)
    writeFileSync(join(plantedAdmin, "_chunks/a.mjs"), `import { LineChart } from "recharts/es6/index.js"\nconst d = () => import("@scope/lazy/sub")\n`)
    const plantedMissing = missingAdminDependencies(plantedAdmin, { name: "planted", dependencies: { recharts: "1" } }).map((m) => m.name)
    if (plantedMissing.join(",") !== "@scope/lazy,left-pad") throw new Error(`the admin import scan missed planted imports: ${JSON.stringify(plantedMissing)}`)
    const adminDir = join(unpacked, "package/.medusa/server/src/admin")
    const hasAdmin = Boolean(pkg.exports?.["./admin"])
    if (hasAdmin && !existsSync(adminDir)) throw new Error(`exports["./admin"] is set but the package has no ${relative(unpacked, adminDir)}`)
    const missing = missingAdminDependencies(adminDir, pkg)
    if (missing.length) {
      throw new Error(
        `the admin extension imports packages that are not in "dependencies" (a shop's install would not bring them):\n  ` +
          missing.map((m) => `${m.name} (in ${m.files.join(", ")})`).join("\n  ")
      )
    }

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

    if (!hasAdmin) throw new Error(`package.json has no exports["./admin"]: a shop's admin would not load the package's admin extension`)
    const host = buildAdminInHost(work, join(unpacked, "package"), pkg)
    console.log(
      `pack check: the admin extension imports only declared packages and builds in a host app ` +
        `(medusa build --admin-only, ${host.routes} page${host.routes === 1 ? "" : "s"} of src/admin/routes found in the build): ` +
        `+${host.buildSeconds.toFixed(1)} s and ${(host.peakMb / 1024).toFixed(2)} GB peak for the build, ${host.linkSeconds.toFixed(1)} s for the hard-linked node_modules`
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
