import { configuredOptions, registerOptions } from "../../src/lib/configured-options"
import { type PersonalizationOptions, parsePersonalizationOptions } from "../../src/options"

type Patch = Partial<Omit<PersonalizationOptions, "events" | "training" | "readiness">> & {
  events?: Partial<PersonalizationOptions["events"]>
  training?: Partial<PersonalizationOptions["training"]>
  readiness?: Partial<PersonalizationOptions["readiness"]>
}

/**
 * Runs `fn` with some plugin options changed, as if the app had been configured with them (the
 * app under test runs in this process, and its jobs, steps and routes read the registered
 * options), then puts the options back.
 */
export async function withOptions<T>(patch: Patch, fn: () => Promise<T>): Promise<T> {
  const before = configuredOptions()
  registerOptions(
    parsePersonalizationOptions({
      ...before,
      ...patch,
      events: { ...before.events, ...patch.events },
      training: { ...before.training, ...patch.training },
      readiness: { ...before.readiness, ...patch.readiness },
    })
  )
  try {
    return await fn()
  } finally {
    registerOptions(before)
  }
}
