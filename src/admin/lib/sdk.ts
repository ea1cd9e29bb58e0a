import Medusa from "@medusajs/js-sdk"

/**
 * The js-sdk client of the plugin's admin pages. It authenticates as the dashboard does: the
 * admin build defines the backend URL and the auth type (session unless the host builds its
 * admin with JWT); both are read guarded, so a build that leaves them undefined still works
 * against the same origin with the session cookie.
 */
const backendUrl = typeof __BACKEND_URL__ !== "undefined" && __BACKEND_URL__ ? __BACKEND_URL__ : "/"
const authType = typeof __AUTH_TYPE__ !== "undefined" && __AUTH_TYPE__ ? __AUTH_TYPE__ : "session"
const jwtTokenStorageKey =
  typeof __JWT_TOKEN_STORAGE_KEY__ !== "undefined" && __JWT_TOKEN_STORAGE_KEY__ ? __JWT_TOKEN_STORAGE_KEY__ : undefined

export const sdk = new Medusa({ baseUrl: backendUrl, auth: { type: authType, jwtTokenStorageKey } })
