import { Alert, Button, FocusModal, Heading, Input, Label, Select, Switch, Text, Textarea, toast } from "@medusajs/ui"
import { errorMessage } from "../../lib/api"
import { useEffect, useMemo, useState, type ReactNode } from "react"
import { useNavigate } from "react-router-dom"
import { useSegments } from "../../lib/api"
import { type CreateCampaignBody, useCampaignPreview, useCreateCampaign } from "../../lib/segment-campaigns"
import { formatInteger, formatPercent } from "../../lib/format"

const EXCLUDED_LABELS: Record<string, string> = {
  standing_holdout: "in the standing holdout",
  opted_out: "opted out",
  in_other_campaign: "in another running segment campaign",
}

/** `YYYY-MM-DDTHH:mm` in local time, what a datetime-local input holds. */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

function Field({ label, hint, htmlFor, children }: { label: string; hint?: string; htmlFor?: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-y-1.5">
      <Label size="small" weight="plus" htmlFor={htmlFor}>{label}</Label>
      {children}
      {hint && <Text size="xsmall" className="text-ui-fg-subtle">{hint}</Text>}
    </div>
  )
}

/**
 * "Create campaign": a focus modal with the segment campaign's fields and a live preview of the
 * arms (from the preview route, which writes nothing). Opened from a segment page with that
 * segment chosen, or from the Segment campaigns page.
 */
export function CreateCampaignModal({ segmentKey, trigger }: { segmentKey?: string; trigger?: ReactNode }) {
  const [open, setOpen] = useState(false)
  const navigate = useNavigate()
  const segments = useSegments()
  const create = useCreateCampaign()

  const [name, setName] = useState("")
  const [description, setDescription] = useState("")
  const [segment, setSegment] = useState(segmentKey ?? "")
  const [controlPercent, setControlPercent] = useState("10")
  const [startsAt, setStartsAt] = useState(() => localInput(new Date()))
  const [endsAt, setEndsAt] = useState(() => localInput(new Date(Date.now() + 30 * 86_400_000)))
  const [active, setActive] = useState(true)
  const [type, setType] = useState<"percentage" | "fixed">("percentage")
  const [target, setTarget] = useState<"order" | "items">("order")
  const [value, setValue] = useState("10")
  const [currency, setCurrency] = useState("")
  const [automatic, setAutomatic] = useState(false)
  const [code, setCode] = useState("")
  const [usageLimit, setUsageLimit] = useState("")
  const [budgetType, setBudgetType] = useState<"none" | "spend" | "usage">("none")
  const [budgetLimit, setBudgetLimit] = useState("")
  const [sendMessage, setSendMessage] = useState(false)
  const [recommendations, setRecommendations] = useState("4")
  const [error, setError] = useState<string | null>(null)

  const storeCurrency = segments.data?.run?.currency_code ?? ""
  useEffect(() => {
    if (!currency && storeCurrency) setCurrency(storeCurrency)
  }, [storeCurrency, currency])
  useEffect(() => {
    if (segmentKey) setSegment(segmentKey)
  }, [segmentKey])

  const controlShare = Number(controlPercent) / 100
  const preview = useCampaignPreview(open && segment ? segment : undefined, Number.isFinite(controlShare) ? controlShare : NaN)
  const chosen = useMemo(() => segments.data?.segments.find((s) => s.key === segment), [segments.data, segment])

  const body = (): CreateCampaignBody => ({
    name: name.trim(),
    ...(description.trim() ? { description: description.trim() } : {}),
    segment_key: segment,
    control_share: controlShare,
    starts_at: startsAt ? new Date(startsAt).toISOString() : undefined,
    ends_at: endsAt ? new Date(endsAt).toISOString() : "",
    status: active ? "active" : "draft",
    promotion: {
      type,
      target,
      value: Number(value),
      ...(type === "fixed" || budgetType === "spend" ? { currency_code: currency || undefined } : {}),
      is_automatic: automatic,
      ...(!automatic && code.trim() ? { code: code.trim() } : {}),
      ...(!automatic && usageLimit ? { usage_limit: Number(usageLimit) } : {}),
      ...(budgetType !== "none"
        ? { budget: { type: budgetType, limit: Number(budgetLimit), ...(budgetType === "spend" ? { currency_code: currency || undefined } : {}) } }
        : {}),
    },
    message: sendMessage ? { recommendations: Number(recommendations) } : null,
  })

  const submit = async () => {
    setError(null)
    try {
      const { campaign } = await create.mutateAsync(body())
      toast.success("Segment campaign created", { description: `${formatInteger(campaign.arms.treatment.current)} treated, ${formatInteger(campaign.arms.control.current)} in control` })
      setOpen(false)
      navigate(`/personalization/campaigns/${campaign.id}`)
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <FocusModal open={open} onOpenChange={setOpen}>
      <FocusModal.Trigger asChild>{trigger ?? <Button size="small" variant="secondary">Create campaign</Button>}</FocusModal.Trigger>
      <FocusModal.Content>
        <FocusModal.Header>
          <div className="flex items-center justify-end gap-x-2">
            <FocusModal.Close asChild>
              <Button size="small" variant="secondary">Cancel</Button>
            </FocusModal.Close>
            <Button size="small" onClick={submit} isLoading={create.isPending} disabled={!segment || !name.trim() || (!automatic && !code.trim())} data-testid="create-campaign-submit">
              Create campaign
            </Button>
          </div>
        </FocusModal.Header>
        <FocusModal.Body className="flex flex-1 flex-col items-center overflow-y-auto py-10">
          <div className="flex w-full max-w-[720px] flex-col gap-y-8 px-6">
            <div>
              <Heading>Create a segment campaign</Heading>
              <Text size="small" className="text-ui-fg-subtle">
                A promotion for one segment's members, measured against a control group drawn from the same members that gets nothing. The arms are frozen when the campaign is created.
              </Text>
            </div>
            {error && <Alert variant="error" dismissible data-testid="create-campaign-error">{error}</Alert>}

            <section className="grid grid-cols-2 gap-4">
              <Field label="Name" htmlFor="campaign-name">
                <Input id="campaign-name" name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Win back loyal customers" />
              </Field>
              <Field label="Segment" hint={chosen ? `${formatInteger(chosen.size)} members in the latest run` : undefined}>
                <Select value={segment} onValueChange={setSegment}>
                  <Select.Trigger data-testid="campaign-segment"><Select.Value placeholder={segments.isLoading ? "Loading segments…" : "Choose a segment"} /></Select.Trigger>
                  <Select.Content>
                    {(segments.data?.segments ?? []).map((s) => (
                      <Select.Item key={s.key} value={s.key}>{s.name}</Select.Item>
                    ))}
                  </Select.Content>
                </Select>
              </Field>
              <div className="col-span-2">
                <Field label="Description (optional)" htmlFor="campaign-description">
                  <Textarea id="campaign-description" value={description} onChange={(e) => setDescription(e.target.value)} />
                </Field>
              </div>
            </section>

            <section className="flex flex-col gap-y-4">
              <Heading level="h2">Arms</Heading>
              <div className="grid grid-cols-2 gap-4">
                <Field label="Control share (%)" htmlFor="campaign-control" hint="0 to 50. The control group gets no promotion and no message; 10% is a good default.">
                  <Input id="campaign-control" name="control_share" type="number" min={0} max={50} step={1} value={controlPercent} onChange={(e) => setControlPercent(e.target.value)} />
                </Field>
                <div className="rounded-lg border border-ui-border-base bg-ui-bg-subtle px-4 py-3" data-testid="campaign-preview">
                  {!segment ? (
                    <Text size="small" className="text-ui-fg-muted">Choose a segment to see its arms.</Text>
                  ) : preview.isError ? (
                    <Text size="small" className="text-ui-fg-error">{errorMessage(preview.error)}</Text>
                  ) : !preview.data ? (
                    <Text size="small" className="text-ui-fg-muted">Drawing the arms…</Text>
                  ) : (
                    <div className="flex flex-col gap-y-1">
                      <Text size="small" leading="compact" weight="plus">
                        <span data-testid="preview-treatment">{formatInteger(preview.data.preview.treatment)}</span> treated ·{" "}
                        <span data-testid="preview-control">{formatInteger(preview.data.preview.control)}</span> in control
                      </Text>
                      <Text size="xsmall" className="text-ui-fg-subtle">
                        of {formatInteger(preview.data.preview.eligible)} eligible members ({formatPercent(preview.data.preview.control_share, 0)} control)
                      </Text>
                      {Object.entries(preview.data.preview.excluded).filter(([, n]) => n > 0).map(([reason, n]) => (
                        <Text key={reason} size="xsmall" className="text-ui-fg-subtle">{formatInteger(n)} left out: {EXCLUDED_LABELS[reason] ?? reason}</Text>
                      ))}
                    </div>
                  )}
                </div>
              </div>
              {preview.data?.preview.warnings.map((w) => (
                <Alert key={w} variant="warning">{w}</Alert>
              ))}
            </section>

            <section className="flex flex-col gap-y-4">
              <Heading level="h2">Promotion</Heading>
              <div className="grid grid-cols-2 gap-4">
                <Field label="Discount">
                  <Select value={type} onValueChange={(v) => setType(v as "percentage" | "fixed")}>
                    <Select.Trigger><Select.Value /></Select.Trigger>
                    <Select.Content>
                      <Select.Item value="percentage">Percentage off</Select.Item>
                      <Select.Item value="fixed">Fixed amount off</Select.Item>
                    </Select.Content>
                  </Select>
                </Field>
                <Field label="Applies to">
                  <Select value={target} onValueChange={(v) => setTarget(v as "order" | "items")}>
                    <Select.Trigger><Select.Value /></Select.Trigger>
                    <Select.Content>
                      <Select.Item value="order">The order</Select.Item>
                      <Select.Item value="items">Each item</Select.Item>
                    </Select.Content>
                  </Select>
                </Field>
                <Field label={type === "percentage" ? "Value (%)" : "Amount"} htmlFor="campaign-value">
                  <Input id="campaign-value" name="value" type="number" min={0} step="any" value={value} onChange={(e) => setValue(e.target.value)} />
                </Field>
                {(type === "fixed" || budgetType === "spend") && (
                  <Field label="Currency" htmlFor="campaign-currency" hint="Three letters, e.g. eur">
                    <Input id="campaign-currency" name="currency_code" value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3} />
                  </Field>
                )}
              </div>
              <div className="flex items-center gap-x-2">
                <Switch id="campaign-automatic" checked={automatic} onCheckedChange={setAutomatic} />
                <Label htmlFor="campaign-automatic" size="small">Automatic: applies to treated customers' carts without a code</Label>
              </div>
              {!automatic && (
                <div className="grid grid-cols-2 gap-4">
                  <Field label="Code" htmlFor="campaign-code" hint="What treated customers enter at checkout: letters, digits, - and _.">
                    <Input id="campaign-code" name="code" value={code} onChange={(e) => setCode(e.target.value)} />
                  </Field>
                  <Field label="Usage limit (optional)" htmlFor="campaign-usage-limit" hint="Uses in all, across customers.">
                    <Input id="campaign-usage-limit" name="usage_limit" type="number" min={1} step={1} value={usageLimit} onChange={(e) => setUsageLimit(e.target.value)} />
                  </Field>
                </div>
              )}
              <div className="grid grid-cols-2 gap-4">
                <Field label="Budget">
                  <Select value={budgetType} onValueChange={(v) => setBudgetType(v as "none" | "spend" | "usage")}>
                    <Select.Trigger><Select.Value /></Select.Trigger>
                    <Select.Content>
                      <Select.Item value="none">No budget</Select.Item>
                      <Select.Item value="spend">Total discount (spend)</Select.Item>
                      <Select.Item value="usage">Number of uses</Select.Item>
                    </Select.Content>
                  </Select>
                </Field>
                {budgetType !== "none" && (
                  <Field label={budgetType === "spend" ? "Budget amount" : "Budget uses"} htmlFor="campaign-budget">
                    <Input id="campaign-budget" name="budget_limit" type="number" min={1} step="any" value={budgetLimit} onChange={(e) => setBudgetLimit(e.target.value)} />
                  </Field>
                )}
              </div>
            </section>

            <section className="flex flex-col gap-y-4">
              <Heading level="h2">Window</Heading>
              <div className="grid grid-cols-2 gap-4">
                <Field label="Starts" htmlFor="campaign-starts">
                  <Input id="campaign-starts" name="starts_at" type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
                </Field>
                <Field label="Ends" htmlFor="campaign-ends">
                  <Input id="campaign-ends" name="ends_at" type="datetime-local" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
                </Field>
              </div>
              <div className="flex items-center gap-x-2">
                <Switch id="campaign-active" checked={active} onCheckedChange={setActive} />
                <Label htmlFor="campaign-active" size="small">Active: the promotion applies within the window (off: created as a draft)</Label>
              </div>
            </section>

            <section className="flex flex-col gap-y-4">
              <Heading level="h2">Message (optional)</Heading>
              <div className="flex items-center gap-x-2">
                <Switch id="campaign-message" checked={sendMessage} onCheckedChange={setSendMessage} />
                <Label htmlFor="campaign-message" size="small">Send each treated customer a message with the code and their own recommendations (sent from the campaign page)</Label>
              </div>
              {sendMessage && (
                <Field label="Recommendations per message" htmlFor="campaign-recommendations">
                  <Input id="campaign-recommendations" type="number" min={1} max={20} step={1} value={recommendations} onChange={(e) => setRecommendations(e.target.value)} />
                </Field>
              )}
            </section>
          </div>
        </FocusModal.Body>
      </FocusModal.Content>
    </FocusModal>
  )
}
