/**
 * The text of a reason, rendered when a list is served: in the request's locale, with the
 * products' current titles. Stored lists hold only reason codes and numbers (list-format.ts).
 * English is built in; a shop adds other languages through the `reasonTemplates` option.
 * No Medusa import: the options schema and the CLI use it too.
 */

/** Every template a reason text is made of. */
export const REASON_TEMPLATE_KEYS = [
  "buy_again",
  "buy_again_every",
  "because_you_bought",
  "trending",
  "popular",
  "related",
  "bought_together",
  "new_arrival",
  "new_like_purchased",
  "interval_days",
  "interval_weeks",
  "interval_months",
  "interval_years",
  "this_product",
] as const

export type ReasonTemplateKey = (typeof REASON_TEMPLATE_KEYS)[number]
/** A string with `{name}` placeholders, or one per plural category of `{count}`. */
export type ReasonTemplate = string | { one: string; other: string }
export type ReasonTemplates = Partial<Record<ReasonTemplateKey, ReasonTemplate>>

export const ENGLISH_TEMPLATES: Record<ReasonTemplateKey, ReasonTemplate> = {
  buy_again: "You bought this before",
  buy_again_every: "You buy this about {interval}",
  because_you_bought: "Because you bought {product}",
  trending: {
    one: "Trending: {count} customer bought it in the last {days} days",
    other: "Trending: {count} customers bought it in the last {days} days",
  },
  popular: { one: "Popular: bought by {count} customer", other: "Popular: bought by {count} customers" },
  // Related lists blend text and purchase similarity (strips.ts): not only what other customers bought.
  related: "Similar to {product}",
  bought_together: "Often bought together with {product}",
  new_arrival: "New in the shop",
  new_like_purchased: "New, like {product} that you bought",
  interval_days: { one: "every day", other: "every {count} days" },
  interval_weeks: { one: "every week", other: "every {count} weeks" },
  interval_months: { one: "every month", other: "every {count} months" },
  interval_years: { one: "every year", other: "every {count} years" },
  this_product: "this product",
}

/** A reason as the store routes answer it: a stable code, its numbers and ids, and the text. */
export interface ServedReason {
  code: string
  params: Record<string, string | number | null>
  text: string
}

/**
 * What a reason says, before rendering: `product_id` names the product a reason refers to
 * (the customer's own for because_you_bought and new_like_purchased, the list's subject for related and
 * bought_together); buy_again carries the customer's orders of it and the mean days between.
 */
export type ReasonFacts =
  | { code: "buy_again"; params: { orders: number; every_days: number | null } }
  | { code: "because_you_bought"; params: { product_id: string } }
  | { code: "trending"; params: { recent_buyers: number; window_days: number } }
  | { code: "popular"; params: { buyers: number } }
  | { code: "related"; params: { product_id: string } }
  | { code: "bought_together"; params: { product_id: string } }
  | { code: "new_arrival"; params: Record<string, never> }
  | { code: "new_like_purchased"; params: { product_id: string } }

/**
 * A duration in whole days as natural words: "every day", "every 5 days", "every week",
 * "every 3 weeks", "every 2 months", "every year". Up to 10 days in days, up to 7 weeks in
 * weeks, then months, from 11 months in years.
 */
export function intervalWords(days: number, render: (key: ReasonTemplateKey, values: Record<string, string | number>) => string): string {
  const d = Math.max(1, Math.round(days))
  if (d <= 10 && d % 7 !== 0) return render("interval_days", { count: d })
  if (d <= 52) return render("interval_weeks", { count: Math.max(1, Math.round(d / 7)) })
  if (d < 330) return render("interval_months", { count: Math.max(2, Math.round(d / 30.44)) })
  return render("interval_years", { count: Math.max(1, Math.round(d / 365.25)) })
}

/**
 * Renders reasons for one locale. `templates` maps locales to templates (the `reasonTemplates`
 * option); for each key the most specific locale that has it wins ("de-AT", then "de"), English
 * otherwise, so a partial translation still reads whole.
 */
export class ReasonRenderer {
  private readonly chain: ReasonTemplates[]
  private readonly plural: Intl.PluralRules

  constructor(locale: string | undefined, templates: Record<string, ReasonTemplates> = {}) {
    const tags = localeChain(locale)
    this.chain = [...tags.map((tag) => findTemplates(templates, tag)).filter((t): t is ReasonTemplates => !!t), ENGLISH_TEMPLATES]
    let rules: Intl.PluralRules
    try {
      rules = new Intl.PluralRules(tags[0] ?? "en")
    } catch {
      rules = new Intl.PluralRules("en")
    }
    this.plural = rules
  }

  /** One template filled with `values`; `{count}` picks the plural form. */
  render = (key: ReasonTemplateKey, values: Record<string, string | number> = {}): string => {
    const template = this.chain.find((t) => t[key] !== undefined)?.[key] ?? ENGLISH_TEMPLATES[key]
    const text =
      typeof template === "string"
        ? template
        : this.plural.select(Number(values.count ?? 0)) === "one"
          ? template.one
          : template.other
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole))
  }

  /** The text of a reason; `titleOf` gives a product's current title (undefined when unknown or deleted). */
  text(reason: ReasonFacts, titleOf: (productId: string) => string | undefined): string {
    const title = (id: string) => titleOf(id) ?? this.render("this_product")
    switch (reason.code) {
      case "buy_again":
        return reason.params.every_days === null || reason.params.orders < 2
          ? this.render("buy_again")
          : this.render("buy_again_every", { interval: intervalWords(reason.params.every_days, this.render) })
      case "because_you_bought":
        return this.render("because_you_bought", { product: title(reason.params.product_id) })
      case "trending":
        return this.render("trending", { count: reason.params.recent_buyers, days: reason.params.window_days })
      case "popular":
        return this.render("popular", { count: reason.params.buyers })
      case "related":
        return this.render("related", { product: title(reason.params.product_id) })
      case "bought_together":
        return this.render("bought_together", { product: title(reason.params.product_id) })
      case "new_arrival":
        return this.render("new_arrival")
      case "new_like_purchased":
        return this.render("new_like_purchased", { product: title(reason.params.product_id) })
    }
  }

  served(reason: ReasonFacts, titleOf: (productId: string) => string | undefined): ServedReason {
    return { code: reason.code, params: { ...reason.params }, text: this.text(reason, titleOf) }
  }
}

/** "de-AT" -> ["de-AT", "de"]; invalid or missing -> []. */
function localeChain(locale: string | undefined): string[] {
  if (!locale) return []
  let canonical: string
  try {
    canonical = Intl.getCanonicalLocales(locale)[0]
  } catch {
    return []
  }
  const parts = canonical.split("-")
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("-"))
}

/** Option keys are matched without regard to case ("de-de" finds "de-DE"). */
function findTemplates(templates: Record<string, ReasonTemplates>, tag: string): ReasonTemplates | undefined {
  const lower = tag.toLowerCase()
  const key = Object.keys(templates).find((k) => k.toLowerCase() === lower)
  return key ? templates[key] : undefined
}
