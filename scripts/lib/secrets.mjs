/**
 * The dev app refuses to start without JWT_SECRET and COOKIE_SECRET (medusa-config.ts). Scripts
 * that start it for a check or a benchmark give every process of one run the same random pair.
 */
import { randomBytes } from "node:crypto"

export function withSecrets(env = process.env) {
  return {
    ...env,
    JWT_SECRET: env.JWT_SECRET || randomBytes(32).toString("hex"),
    COOKIE_SECRET: env.COOKIE_SECRET || randomBytes(32).toString("hex"),
  }
}
