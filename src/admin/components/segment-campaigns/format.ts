/** Number formatting of the segment campaign pages, in the admin's locale. */

const locale = () => (typeof document !== "undefined" && document.documentElement.lang) || (typeof navigator !== "undefined" ? navigator.language : "en")

export function money(amount: number, currency: string, { signed = false }: { signed?: boolean } = {}): string {
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency: currency.toUpperCase(), signDisplay: signed ? "exceptZero" : "auto", maximumFractionDigits: 2 }).format(amount)
  } catch {
    return `${amount.toFixed(2)} ${currency.toUpperCase()}`
  }
}

export function percent(share: number, { signed = false, digits = 1 }: { signed?: boolean; digits?: number } = {}): string {
  return new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: signed ? "exceptZero" : "auto" }).format(share)
}

/** Percentage points, for differences of two rates ("+1.2 pp"). */
export function points(difference: number): string {
  const value = new Intl.NumberFormat(locale(), { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(difference * 100)
  return `${value} pp`
}

export function count(n: number): string {
  return new Intl.NumberFormat(locale()).format(n)
}

export function date(iso: string | null | undefined, withTime = false): string {
  if (!iso) return "–"
  const d = new Date(iso)
  return new Intl.DateTimeFormat(locale(), withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(d)
}
