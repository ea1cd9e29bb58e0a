#!/usr/bin/env node
/**
 * `npm run build:wasm [-- --check]`: compiles assembly/kmeans-kernels.ts (AssemblyScript) to
 * WebAssembly and writes it, base64, into src/ml/segmentation/kmeans-kernels.wasm.ts, so the
 * plugin ships no separate binary and needs no compiler at install time. With --check it only
 * compares a fresh compile with the committed file and exits 1 when they differ.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { compileKernels, kernelsModuleText } from "./wasm-kernels.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const target = join(root, "src/ml/segmentation/kmeans-kernels.wasm.ts")
const text = kernelsModuleText(await compileKernels(root))
if (process.argv.includes("--check")) {
  const same = readFileSync(target, "utf8") === text
  console.log(same ? "kmeans-kernels.wasm.ts matches assembly/kmeans-kernels.ts" : "kmeans-kernels.wasm.ts is stale: run npm run build:wasm")
  process.exit(same ? 0 : 1)
}
writeFileSync(target, text)
console.log(`wrote ${target}`)
