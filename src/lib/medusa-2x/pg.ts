import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"

/** The one knex method the Medusa 2.x adapters use: a parameterised statement (`?` placeholders). */
export type Pg = { raw: (sql: string, bindings?: unknown[]) => Promise<{ rows: any[] }> }

/** The app's PostgreSQL connection (knex), typed by what the adapters use. */
export const appPg = (container: MedusaContainer) => container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as Pg
