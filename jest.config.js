// One jest configuration, several suites chosen by TEST_TYPE (see package.json scripts).
const { loadEnv } = require("@medusajs/framework/utils")
loadEnv("test", process.cwd())

const base = {
  transform: {
    "^.+\\.[jt]sx?$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } },
    ],
  },
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "json"],
  modulePathIgnorePatterns: ["<rootDir>/.medusa/", "<rootDir>/dist/"],
  setupFiles: ["<rootDir>/integration-tests/setup.js"],
}

const suites = {
  unit: ["<rootDir>/src/**/__tests__/**/*.unit.spec.ts"],
  "integration:modules": ["<rootDir>/src/modules/*/__tests__/**/*.spec.ts"],
  "integration:http": ["<rootDir>/integration-tests/http/**/*.spec.ts"],
  "integration:redis": ["<rootDir>/integration-tests/redis/**/*.spec.ts"],
  // Browser tests against a running `medusa develop` that scripts/test.mjs boots (suite `admin`).
  "integration:admin": ["<rootDir>/integration-tests/admin/**/*.spec.ts"],
}

const type = process.env.TEST_TYPE || "unit"
if (!suites[type]) {
  throw new Error(`TEST_TYPE must be one of ${Object.keys(suites).join(", ")}; got "${type}"`)
}

module.exports = {
  ...base,
  testMatch: suites[type],
  // Module tests use *.spec.ts too: keep unit specs out of the module suite.
  testPathIgnorePatterns: type === "unit" ? ["/node_modules/"] : ["/node_modules/", "\\.unit\\.spec\\.ts$"],
  // The admin's first navigation in dev mode transforms the dashboard on demand (minutes on 2 cores).
  testTimeout: type === "unit" ? 30_000 : type === "integration:admin" ? 600_000 : 180_000,
}
