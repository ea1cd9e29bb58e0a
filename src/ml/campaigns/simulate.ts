/**
 * Simulated campaigns with a known uplift, to check that the report's intervals cover it as
 * often as they claim. Customers are independent; in each arm a customer
 *
 * - buys in the campaign window when a latent normal (shared with the pre-period) falls below
 *   the arm's conversion quantile (a Gaussian copula: the marginal rate is exactly the arm's),
 * - spends, when they buy, a log-normal amount exp(mu + sigma e), where e shares a component
 *   with the pre-period amount,
 * - spent in the pre-period by the same rule at the control rates.
 *
 * With `correlation` 0 the pre-period says nothing about the outcome; otherwise both the
 * buying latent and the amount share that correlation. The true uplifts are exact:
 * pT - pC for conversion and pT E[amount_T] - pC E[amount_C] for revenue per customer.
 */
import { Rng } from "../random"

export type SimulatedArm = {
  /** 1 if the customer bought in the window. */
  bought: Uint8Array
  /** Revenue in the window (0 for non-buyers). */
  revenue: Float64Array
  /** Revenue in the same length of time before the window. */
  pre: Float64Array
}

export type CampaignScenario = {
  control: number
  treatment: number
  /** Conversion rate of the control arm, 0 to 1. */
  conversion: number
  /** Relative change of the conversion rate in treatment (0.2: 20% more buyers). */
  conversionLift: number
  /** Relative change of the amount a buyer spends in treatment. */
  amountLift: number
  sigma: number
  mu: number
  /** Correlation of pre-period and outcome (0 to < 1). */
  correlation: number
}

/** Acklam's rational approximation of the inverse normal CDF (relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`)
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const tail = (q: number) => (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}

function simulateArm(rng: Rng, n: number, rate: number, mu: number, s: CampaignScenario): SimulatedArm {
  const rho = s.correlation
  const rest = Math.sqrt(1 - rho * rho)
  const buyBelow = normalQuantile(rate)
  const preBelow = normalQuantile(s.conversion)
  const arm: SimulatedArm = { bought: new Uint8Array(n), revenue: new Float64Array(n), pre: new Float64Array(n) }
  for (let i = 0; i < n; i++) {
    const activity = rng.normal()
    const taste = rng.normal()
    if (rho * activity + rest * rng.normal() < buyBelow) {
      arm.bought[i] = 1
      arm.revenue[i] = Math.exp(mu + s.sigma * (rho * taste + rest * rng.normal()))
    }
    if (rho * activity + rest * rng.normal() < preBelow) {
      arm.pre[i] = Math.exp(s.mu + s.sigma * (rho * taste + rest * rng.normal()))
    }
  }
  return arm
}

export function simulateCampaign(rng: Rng, s: CampaignScenario) {
  const treatedRate = Math.min(0.99, s.conversion * (1 + s.conversionLift))
  const treatedMu = s.mu + Math.log1p(s.amountLift)
  const control = simulateArm(rng, s.control, s.conversion, s.mu, s)
  const treatment = simulateArm(rng, s.treatment, treatedRate, treatedMu, s)
  const meanAmount = (mu: number) => Math.exp(mu + (s.sigma * s.sigma) / 2)
  return {
    control,
    treatment,
    truth: {
      conversion: treatedRate - s.conversion,
      revenuePerCustomer: treatedRate * meanAmount(treatedMu) - s.conversion * meanAmount(s.mu),
    },
  }
}

/**
 * A scenario drawn from the ranges the report must hold on: control arms of 100 to 5,000
 * customers (log-uniform), a control share of 5% to 50%, lifts from -20% to +50% (conversion)
 * and -10% to +30% (amount), sigma 1 to 2. `conversion` gives the range of the control's rate.
 */
export function drawScenario(rng: Rng, conversion: [number, number], correlation: number): CampaignScenario {
  const control = Math.round(Math.exp(Math.log(100) + rng.next() * Math.log(50)))
  const share = 0.05 + 0.45 * rng.next()
  return {
    control,
    treatment: Math.round((control * (1 - share)) / share),
    conversion: conversion[0] + (conversion[1] - conversion[0]) * rng.next(),
    conversionLift: -0.2 + 0.7 * rng.next(),
    amountLift: -0.1 + 0.4 * rng.next(),
    sigma: 1 + rng.next(),
    mu: 3,
    correlation,
  }
}
