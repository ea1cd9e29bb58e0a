/**
 * Runs a recommender training now and prints its outcome. `npm run demo` runs it after the
 * segmentation.
 *
 *   MEDUSA_DISABLE_TELEMETRY=true npx medusa exec ./src/scripts/train-recommenders.ts
 */
import type { ExecArgs, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { runTraining } from "../workflows/runs"

export default async function trainRecommenders({ container }: ExecArgs) {
  const logger = container.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const result = await runTraining(container)
  const e = result.evaluation as { test_customers: number; candidate: { ndcg10: number; recall20: number }; popularity: { ndcg10: number; recall20: number } } | null
  logger.info(`train-recommenders: ${result.id} ${result.status}${result.reason ? ` (${result.reason})` : ""}, ${result.lists} lists, ${result.duration_ms} ms`)
  if (e) {
    logger.info(
      `  holdout: ${e.test_customers} customers; candidate NDCG@10 ${e.candidate.ndcg10.toFixed(4)}, Recall@20 ${e.candidate.recall20.toFixed(4)}; ` +
        `popularity NDCG@10 ${e.popularity.ndcg10.toFixed(4)}, Recall@20 ${e.popularity.recall20.toFixed(4)}`
    )
  }
}
