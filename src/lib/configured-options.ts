import { parsePersonalizationOptions, type PersonalizationOptions } from "../options"

let registered: PersonalizationOptions | undefined

/**
 * Called by each of the plugin's modules when it loads (their shared loader validates the
 * options first). A shop passes one set of options to the plugin and Medusa hands the same set
 * to every module of it, so the last registration is the one all modules were given.
 */
export function registerOptions(options: PersonalizationOptions): void {
  registered = options
}

/**
 * The plugin options as the modules registered them when the app loaded. Medusa loads modules
 * before jobs, so job files read their schedules from here at import. Before any module has
 * loaded (a unit test importing a job file), the defaults apply.
 */
export function configuredOptions(): PersonalizationOptions {
  return registered ?? parsePersonalizationOptions({})
}
