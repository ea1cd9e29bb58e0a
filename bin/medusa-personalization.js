#!/usr/bin/env node
// The packaged command line: the compiled entry in .medusa/server (built by `medusa plugin:build`).
require("../.medusa/server/src/cli/index.js")
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code
    },
    (error) => {
      process.stderr.write(`${error && error.message ? error.message : error}\n`)
      process.exitCode = 1
    }
  )
