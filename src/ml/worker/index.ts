export * from "./fit-in-worker"
export * from "./registry"
export * from "./start-worker"
