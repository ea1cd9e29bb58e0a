/**
 * What a segment's customer group is for: a promotion limited to that group. Medusa's own
 * promotion engine (through its cart workflows) must give the discount to the segment's members
 * and to no one else — not to customers of other segments, and not to the segment's control
 * customers, whom the plugin keeps out of the group so that the promotion's effect can be measured.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { createPromotionsWorkflow, updateCartPromotionsWorkflow } from "@medusajs/core-flows"
import { Modules } from "@medusajs/framework/utils"
import type { MedusaContainer } from "@medusajs/framework/types"
import { CUSTOMER_SEGMENTS_MODULE } from "../../src/modules/customer-segments"
import type CustomerSegmentsService from "../../src/modules/customer-segments/service"
import { runSegmentation } from "../../src/workflows/runs"
import { cartWithOneItem, createShop, readCart, type CartView } from "../helpers/cart"
import { withOptions } from "../helpers/options"
import { pg } from "../helpers/store"
import { groupMembers, seedSegmentableStore } from "../helpers/segments"

jest.setTimeout(180_000)



const promotionAdjustments = (cart: CartView, promotionId: string) =>
  cart.items.flatMap((i) => i.adjustments).filter((a) => a.promotion_id === promotionId)

medusaIntegrationTestRunner({
  testSuite: ({ getContainer }) => {
    describe("a promotion limited to a segment's customer group", () => {
      it("discounts the segment's members' carts, and not those of other segments or of control customers", async () => {
        const container = getContainer()
        const customers = await seedSegmentableStore(container, { emailPrefix: "promo" })
        const email = new Map(customers.map((c) => [c.id, c.email as string]))

        // A control share: some of each segment's customers are held out of its group.
        const run = await withOptions({ controlShare: 0.3 }, () => runSegmentation(container))
        expect(run.status).toBe("completed")
        const service = container.resolve<CustomerSegmentsService>(CUSTOMER_SEGMENTS_MODULE)
        const segments = await service.listCurrentSegments()
        expect(segments.length).toBeGreaterThanOrEqual(2)
        // The largest segment gets the promotion; any other segment provides the non-member.
        const chosen = [...segments].sort((a, b) => b.size - a.size)[0]
        const other = segments.find((s) => s.key !== chosen.key)!
        const groupId = chosen.customer_group_id as string
        expect(groupId).toEqual(expect.stringMatching(/^cusgroup_/))

        const { rows } = await pg(container).raw(
          `SELECT customer_id, segment_key, in_control FROM personalization_customer_segment
           WHERE run_id = ? AND segment_key IN (?, ?) ORDER BY customer_id`,
          [run.id, chosen.key, other.key]
        )
        const inChosen = rows.filter((r) => r.segment_key === chosen.key)
        const [member] = inChosen.filter((r) => !r.in_control).map((r) => r.customer_id as string)
        const [control] = inChosen.filter((r) => r.in_control).map((r) => r.customer_id as string)
        const [nonMember] = rows.filter((r) => r.segment_key === other.key).map((r) => r.customer_id as string)
        expect([member, control, nonMember].every(Boolean)).toBe(true)
        const group = await groupMembers(container, groupId)
        expect(group).toEqual(inChosen.filter((r) => !r.in_control).map((r) => r.customer_id as string).sort())
        expect(group).toContain(member)
        expect(group).not.toContain(control)
        expect(group).not.toContain(nonMember)

        const { result: [promotion] } = await createPromotionsWorkflow(container).run({
          input: {
            promotionsData: [
              {
                code: `SEGMENT-${chosen.key.toUpperCase()}`,
                type: "standard",
                status: "active",
                is_automatic: true,
                application_method: { type: "percentage", target_type: "order", allocation: "across", value: 10 },
                rules: [{ attribute: "customer.groups.id", operator: "in", values: [groupId] }],
              },
            ],
          },
        })

        const shop = await createShop(container, { unit_price: 100 })
        const cartOf = (id: string) => cartWithOneItem(container, shop, { id, email: email.get(id)! })
        const memberCart = await cartOf(member)
        const nonMemberCart = await cartOf(nonMember)
        const controlCart = await cartOf(control)

        // The member: 10% off their one item, as an adjustment carrying the promotion.
        expect(memberCart.customer_id).toBe(member)
        expect(memberCart.item_total).toBe(90)
        expect(memberCart.discount_total).toBe(10)
        expect(memberCart.total).toBe(90)
        expect(memberCart.promotions).toEqual([{ id: promotion.id, code: promotion.code }])
        expect(promotionAdjustments(memberCart, promotion.id)).toEqual([
          { promotion_id: promotion.id, code: promotion.code, amount: 10 },
        ])

        // A customer of another segment and the control customer: full price, no promotion.
        for (const [who, cart] of [
          [nonMember, nonMemberCart],
          [control, controlCart],
        ] as const) {
          expect(cart.customer_id).toBe(who)
          expect({ who, discount_total: cart.discount_total, total: cart.total, promotions: cart.promotions }).toEqual({
            who,
            discount_total: 0,
            total: 100,
            promotions: [],
          })
          expect(cart.items.flatMap((i) => i.adjustments)).toEqual([])
        }

        // Proof that membership is the only difference: once the control customer is back in
        // the segment's group (a run without a control share), refreshing their cart's
        // promotions gives them the discount too.
        expect((await runSegmentation(container)).status).toBe("completed")
        expect(await groupMembers(container, groupId)).toContain(control)
        await updateCartPromotionsWorkflow(container).run({ input: { cart_id: controlCart.id } })
        const refreshed = await readCart(container, controlCart.id)
        expect(refreshed.discount_total).toBe(10)
        expect(refreshed.promotions.map((p) => p.id)).toEqual([promotion.id])
      })
    })
  },
})
