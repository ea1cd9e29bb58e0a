import { spawnSync } from "node:child_process"
import path from "node:path"

jest.setTimeout(120_000)

/**
 * Boots the real app (`medusa exec` of a no-op script) with a bad option. The dev app's
 * medusa-config maps PERSONALIZATION_CURRENCY to the currencyCode option. It connects to the
 * `postgres` maintenance database and fails in the module loader before writing anything.
 */
function bootWith(env: Record<string, string>) {
  const root = path.resolve(__dirname, "../../../..")
  const user = process.env.DB_USERNAME || "postgres"
  const host = process.env.DB_HOST || "localhost"
  return spawnSync("npx", ["medusa", "exec", "./integration-tests/fixtures/noop-script.ts"], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      MEDUSA_DISABLE_TELEMETRY: "true",
      DATABASE_URL: `postgres://${user}@${host}:5432/postgres`,
      ...env,
    },
  })
}

describe("plugin options at boot", () => {
  it("stops boot with a message naming the bad option", () => {
    const run = bootWith({ PERSONALIZATION_CURRENCY: "euros" })
    expect(run.status).not.toBe(0)
    expect(`${run.stdout}${run.stderr}`).toContain(
      'medusa-plugin-personalization: invalid option "currencyCode": must be a three-letter ISO 4217 code'
    )
  })

  it("boots with a good option", () => {
    const run = bootWith({ PERSONALIZATION_CURRENCY: "eur" })
    // On the maintenance database the boot goes on past every module loader and fails later on
    // Medusa's own missing tables: the plugin's options were accepted.
    expect(`${run.stdout}${run.stderr}`).not.toContain("medusa-plugin-personalization")
    expect(`${run.stdout}${run.stderr}`).toMatch(/relation "\w+" does not exist/)
  })
})
