import { z } from "@medusajs/framework/zod"
import { MedusaError } from "@medusajs/framework/utils"

export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()

/** Parses request input with a zod schema; a bad field answers 400 naming the field. */
export function parseInput<T extends z.ZodTypeAny>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input ?? {})
  if (!result.success) {
    const issue = result.error.issues[0]
    const field = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".")
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: ${field}: ${issue.message}`)
  }
  return result.data
}
