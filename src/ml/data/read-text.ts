import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"

/**
 * Reads a text file, gunzipping it when it starts with the gzip magic bytes (so a ".csv.gz"
 * renamed to ".csv" still reads). The only file access in src/ml: loaders call it with the
 * path they were given and hand the text to a pure parser.
 */
export function readTextFile(path: string): string {
  const raw = readFileSync(path)
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b
  return (gz ? gunzipSync(raw) : raw).toString("utf8")
}
