/**
 * Plugin options: one zod schema, read by the module loader at boot (a bad option stops
 * the server with a message naming it) and by job files at import (schedules).
 */
import { z } from "@medusajs/framework/zod"
import { REASON_TEMPLATE_KEYS } from "./modules/recommendations/reason-text"

/** Medusa order statuses (OrderStatus of @medusajs/framework/utils). */
export const ORDER_STATUSES = [
  "pending",
  "completed",
  "draft",
  "archived",
  "canceled",
  "requires_action",
] as const

const cron = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, "must be a cron expression with 5 or 6 fields, e.g. \"30 2 * * *\"")

export const personalizationOptionsSchema = z
  .object({
    /** Orders in these statuses count; any other status takes the order back out. */
    countedOrderStatuses: z
      .array(z.enum(ORDER_STATUSES))
      .min(1)
      .default(["pending", "completed", "archived", "requires_action"])
      .refine((statuses) => !statuses.includes("canceled"), "must not include \"canceled\""),
    /**
     * ISO 4217 code of the currency that money features are kept in. Orders in other
     * currencies count for order and interaction counts but not for spend.
     * Default: the store's default currency.
     */
    currencyCode: z
      .string()
      .trim()
      .regex(/^[a-zA-Z]{3}$/, "must be a three-letter ISO 4217 code such as \"eur\"")
      .transform((code) => code.toLowerCase())
      .optional(),
    /** Count a guest checkout's orders for the registered customer with the same email. */
    mergeGuestOrders: z.boolean().default(true),
    /**
     * Below these, a segmentation run is skipped (status "skipped" with the reason): too few
     * customers make segments that mean nothing. Customers are those with a counted order;
     * repeat customers have two or more.
     */
    readiness: z
      .object({
        minCustomers: z.number().int().min(2).default(100),
        minRepeatCustomers: z.number().int().min(0).default(20),
      })
      .strict()
      .prefault({}),
    /**
     * Purchase prediction window W, in days: each segmentation run fits the model on features at
     * now - W with what customers bought in [now - W, now), then predicts, for every segmented
     * customer, the chance of buying again and the expected spend in the next W days. The store
     * needs more than W days of orders before it gets scores.
     */
    predictionWindowDays: z.number().int().min(7).max(365).default(90),
    /**
     * Segmentation runs. A run keeps the previous run's number of segments unless another k's
     * silhouette wins by more than `kMargin` (0 to 0.5): a few customers coming or going
     * should not change k, and with it the segments' keys and customer groups.
     */
    segmentation: z
      .object({
        kMargin: z.number().min(0).max(0.5).default(0.03),
      })
      .strict()
      .prefault({}),
    /**
     * Share of each segment's customers held out of its customer group (0 to 0.5), chosen by a
     * hash of customer and segment: a control group that shows what a segment promotion earned.
     */
    controlShare: z.number().min(0).max(0.5).default(0),
    /**
     * Recommender training runs. The candidate is evaluated against the active version and
     * popularity on the store's orders of the last `holdoutDays`, and replaces the active
     * version only when its NDCG@10 is higher by `margin` (relative) on at least
     * `minTestCustomers` customers; then it is refitted on all orders and its lists stored.
     */
    training: z
      .object({
        holdoutDays: z.number().int().min(1).max(365).default(30),
        minTestCustomers: z.number().int().min(1).default(20),
        margin: z.number().min(0).max(1).default(0.01),
        /** Customers with an order in this many days get a personal list. */
        activeCustomerDays: z.number().int().min(1).default(365),
        /** Items per personal and trending list (the store routes serve at most 50). */
        listSize: z.number().int().min(100).max(1000).default(100),
        /** Items per product's related and bought-together lists. */
        relatedSize: z.number().int().min(1).max(200).default(50),
        /**
         * Worker threads that build the personal lists of an activating run (each a share of the
         * customers, each with its own copy of the refitted model); 1 = the training thread alone.
         */
        listThreads: z.number().int().min(1).max(16).default(1),
        /** Versions kept with their lists besides the active one, for rollback. */
        keepVersions: z.number().int().min(1).max(50).default(3),
        /**
         * The nightly job's full runs (evaluation, new neighbour rows, every list) are at most
         * this many days apart; the nights between refresh the active full run instead: its
         * item-kNN neighbour rows kept, everything else refitted on today's orders, and only
         * the personal lists of customers whose purchases changed since it rebuilt (0.07 of a
         * full run's time at a million customers; docs/architecture.md). 1 = every night a full
         * run. Runs started from the admin or a script are always full.
         */
        fullRunEveryDays: z.number().int().min(1).max(30).default(7),
      })
      .strict()
      .prefault({}),
    /**
     * Storefront events (POST /store/recommendations/events). Limits count events (recommendation
     * ids), not requests, over any 60 s: per client (its address) and per publishable key (a
     * whole storefront). The client's address is the connection's, unless the shop sits behind
     * proxies it trusts: then `trustedProxyHops` is how many of them append to X-Forwarded-For
     * (1 behind one load balancer), and the address that many hops from the right is the client.
     */
    events: z
      .object({
        trustedProxyHops: z.number().int().min(0).max(10).default(0),
        perClientPerMinute: z.number().int().min(1).max(1_000_000).default(600),
        perKeyPerMinute: z.number().int().min(1).max(100_000_000).default(60_000),
      })
      .strict()
      .prefault({}),
    /**
     * Serve the storefront demo page (/personalization/storefront-demo) and its widget script.
     * Off by default: a shop's server should not carry a demo page. The dev app turns it on.
     */
    storefrontDemo: z.boolean().default(false),
    /**
     * Reason texts in other languages: `{ "de": { "because_you_bought": "Weil Sie {product} gekauft haben", ... } }`.
     * Keys are locales (`de`, `de-DE`); a request's `x-medusa-locale` picks the most specific one
     * that has the template, English (built in) otherwise. A template is a string, or
     * `{ one, other }` chosen by the locale's plural rule for `{count}`.
     */
    reasonTemplates: z
      .record(
        z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, "must be a locale such as \"de\" or \"de-DE\""),
        z
          .object(
            Object.fromEntries(
              REASON_TEMPLATE_KEYS.map((key) => [
                key,
                z.union([z.string().min(1), z.object({ one: z.string().min(1), other: z.string().min(1) }).strict()]).optional(),
              ])
            ) as Record<(typeof REASON_TEMPLATE_KEYS)[number], z.ZodOptional<z.ZodUnion<[z.ZodString, z.ZodObject<{ one: z.ZodString; other: z.ZodString }>]>>>
          )
          .strict()
      )
      .default({}),
    /**
     * Segment campaigns. The personalised message is one notification per treated customer on
     * the `email` channel with this template id (the shop's email provider renders it), carrying
     * the promotion code and the customer's top `messageRecommendations` products; it is sent
     * in batches of `messageBatchSize`.
     */
    campaigns: z
      .object({
        messageTemplate: z.string().trim().min(1).default("personalization-segment-campaign"),
        messageRecommendations: z.number().int().min(1).max(20).default(4),
        messageBatchSize: z.number().int().min(1).max(1000).default(100),
      })
      .strict()
      .prefault({}),
    /** Orders per batch in a rebuild (one transaction each). */
    rebuildBatchSize: z.number().int().min(10).max(20_000).default(1000),
    /**
     * Days after which the nightly rebuild reads every order again; in between it reads only
     * the orders changed since the last rebuild. 0: every nightly rebuild reads every order.
     */
    rebuildFullEveryDays: z.number().int().min(0).max(365).default(7),
    /** Cron schedules of the plugin's jobs. Read when the server starts: a change needs a restart. */
    schedules: z
      .object({
        /** Nightly rebuild of the feature tables from Medusa's orders. */
        rebuild: cron.default("30 2 * * *"),
        /** Segmentation and purchase prediction run (after the rebuild). */
        segmentation: cron.default("0 3 * * *"),
        /** Recommender training run. */
        training: cron.default("30 3 * * *"),
        /** Segment campaign reports (after the runs). */
        campaignReports: cron.default("0 4 * * *"),
      })
      .strict()
      // prefault: zod 4 parses the default, so each schedule gets its own default.
      .prefault({}),
  })
  .strict()

export type PersonalizationOptions = z.output<typeof personalizationOptionsSchema>
export type PersonalizationOptionsInput = z.input<typeof personalizationOptionsSchema>

export const PLUGIN_NAME = "medusa-plugin-personalization"

/** Keys Medusa adds to every module's options (the shared database connection). */
const FRAMEWORK_OPTION_KEYS = new Set(["database"])

function withoutFrameworkKeys(raw: unknown): unknown {
  if (raw === null || raw === undefined) {
    return {}
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return raw
  }
  return Object.fromEntries(
    Object.entries(raw).filter(([key, value]) => !FRAMEWORK_OPTION_KEYS.has(key) && value !== undefined)
  )
}

/**
 * Validates raw options; throws an Error whose message names every bad option,
 * e.g. `medusa-plugin-personalization: invalid option "currencyCode": must be ...`.
 */
export function parsePersonalizationOptions(raw: unknown): PersonalizationOptions {
  const result = personalizationOptionsSchema.safeParse(withoutFrameworkKeys(raw))
  if (result.success) {
    return result.data
  }
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.join(".") || "(options)"
    return issue.code === "unrecognized_keys"
      ? `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}`
      : `invalid option "${path}": ${issue.message}`
  })
  throw new Error(`${PLUGIN_NAME}: ${problems.join("; ")}`)
}
