/**
 * Lets a dev script `require` the TypeScript sources directly: `.ts` files are transpiled on
 * load by @swc/core (a dev dependency) to CommonJS. Registers once per process.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

export function registerTs() {
  const Module = require("node:module")
  if (Module._extensions[".ts"]) return
  const swc = require("@swc/core")
  Module._extensions[".ts"] = function (module, filename) {
    const out = swc.transformSync(readFileSync(filename, "utf8"), {
      filename,
      // Decorators as the jest transform reads them: the module services use them.
      jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" },
      module: { type: "commonjs" },
    })
    module._compile(out.code, filename)
  }
}
