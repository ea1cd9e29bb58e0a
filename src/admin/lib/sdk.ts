import Medusa from "@medusajs/js-sdk"

/** The admin's SDK: same origin as the dashboard, with the admin's session. */
export const sdk = new Medusa({ baseUrl: __BACKEND_URL__ || "/", auth: { type: "session" } })
