import { CHANGES_MARGIN_MS, chooseRebuildMode, type RebuildHistory } from "../steps/rebuild-purchase-features"

const now = new Date("2026-12-04T02:30:00Z")
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000)
/** A shop whose ledger holds every order, rebuilt in full two days ago and by changes last night. */
const warm: RebuildHistory = {
  sourceOrders: 1000,
  ledgerOrders: 1000,
  pending: false,
  lastStartedAt: daysAgo(1),
  lastFullStartedAt: daysAgo(2),
  fullEveryDays: 7,
  now,
}

describe("chooseRebuildMode", () => {
  it("reads only the changes since the last rebuild's start, less the margin, while a full read is not due", () => {
    expect(chooseRebuildMode("auto", warm)).toEqual({ mode: "changes", since: new Date(daysAgo(1).getTime() - CHANGES_MARGIN_MS) })
  })

  it("reads every order once the last full read is rebuildFullEveryDays old, or when asked to", () => {
    expect(chooseRebuildMode("auto", { ...warm, lastFullStartedAt: daysAgo(7) })).toEqual({ mode: "pages", since: null })
    expect(chooseRebuildMode("auto", { ...warm, lastFullStartedAt: daysAgo(6.9) }).mode).toBe("changes")
    expect(chooseRebuildMode("auto", { ...warm, fullEveryDays: 0 }).mode).toBe("pages")
    expect(chooseRebuildMode("full", warm)).toEqual({ mode: "pages", since: null })
  })

  it("reads every order when nothing was rebuilt yet, and writes in bulk when the ledger misses a tenth or a bulk run left its aggregates", () => {
    expect(chooseRebuildMode("auto", { ...warm, lastStartedAt: null, lastFullStartedAt: null }).mode).toBe("pages")
    expect(chooseRebuildMode("auto", { ...warm, ledgerOrders: 900 }).mode).toBe("bulk")
    expect(chooseRebuildMode("auto", { ...warm, ledgerOrders: 901 }).mode).toBe("changes")
    expect(chooseRebuildMode("auto", { ...warm, pending: true }).mode).toBe("bulk")
    expect(chooseRebuildMode("full", { ...warm, ledgerOrders: 0 }).mode).toBe("bulk")
    expect(chooseRebuildMode("full", { ...warm, sourceOrders: 0, ledgerOrders: 0 }).mode).toBe("pages")
  })

  it("does what it is told, and a changes run needs a start", () => {
    expect(chooseRebuildMode("pages", { ...warm, ledgerOrders: 0 })).toEqual({ mode: "pages", since: null })
    expect(chooseRebuildMode("bulk", warm)).toEqual({ mode: "bulk", since: null })
    const since = new Date("2026-12-03T12:00:00Z")
    expect(chooseRebuildMode("changes", { ...warm, since })).toEqual({ mode: "changes", since })
    expect(chooseRebuildMode("changes", { ...warm, pending: true }).mode).toBe("changes")
    expect(() => chooseRebuildMode("changes", { ...warm, lastStartedAt: null })).toThrow("a changes rebuild needs a start time or an earlier completed rebuild")
  })
})
