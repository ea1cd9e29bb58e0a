#!/usr/bin/env node
// The command line. An installed package runs its compiled code (.medusa/server, built by
// `medusa plugin:build` before packing; the package ships no TypeScript sources). A checkout
// runs its TypeScript sources through @swc/core, a development dependency that `npm ci`
// installs: nothing needs building first, and an older build never runs in place of the code.
const fs = require("node:fs")
const path = require("node:path")

const compiled = path.join(__dirname, "../.medusa/server/src/cli/index.js")
const source = path.join(__dirname, "../src/cli/index.ts")

function fromSource() {
  let swc
  try {
    swc = require("@swc/core")
  } catch {
    if (fs.existsSync(compiled)) return require(compiled)
    process.stderr.write("medusa-personalization: @swc/core is missing and nothing is built: run `npm ci` first\n")
    process.exit(1)
  }
  const Module = require("node:module")
  if (!Module._extensions[".ts"]) {
    Module._extensions[".ts"] = function (module, filename) {
      const out = swc.transformSync(fs.readFileSync(filename, "utf8"), {
        filename,
        jsc: { parser: { syntax: "typescript" }, target: "es2021" },
        module: { type: "commonjs" },
      })
      module._compile(out.code, filename)
    }
  }
  return require(source)
}

const cli = fs.existsSync(source) ? fromSource() : fs.existsSync(compiled) ? require(compiled) : null
if (!cli) {
  process.stderr.write("medusa-personalization: the CLI is not built: run `npm run build` first\n")
  process.exit(1)
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    process.stderr.write(`medusa-personalization: internal error: ${error && error.message ? error.message : error}\n`)
    process.exitCode = 1
  }
)
