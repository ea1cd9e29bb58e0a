/**
 * How the benches run a Python reference (scikit-learn): with an environment that lacks
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE. A machine may set them (one of ours sets
 * OPENBLAS_CORETYPE=Haswell) and they hold OpenBLAS to an older kernel than the CPU runs, which
 * slows numpy and scikit-learn and flatters our side of a ratio. Unset for the reference command
 * alone, OpenBLAS picks the CPU's own kernel; threadpoolctl reports which one, and the benches
 * print it.
 */
export const OPENBLAS_OVERRIDES = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

/** A copy of `env` without the OpenBLAS overrides, for spawning a Python reference. */
export function referenceEnv(env = process.env) {
  const copy = { ...env }
  for (const name of OPENBLAS_OVERRIDES) delete copy[name]
  return copy
}

/** The overrides `env` sets (what referenceEnv takes out), as NAME=value strings. */
export function overridesSet(env = process.env) {
  return OPENBLAS_OVERRIDES.filter((name) => env[name] !== undefined).map((name) => `${name}=${env[name]}`)
}

/** threadpoolctl's pools as one line: library, API, threads and the kernel (architecture). */
export function describePools(pools) {
  if (!pools?.length) return "threadpoolctl not installed: kernel unknown"
  return pools.map((p) => `${p.lib} (${p.api}, ${p.threads} threads, kernel ${p.arch ?? "n/a"})`).join(", ")
}
