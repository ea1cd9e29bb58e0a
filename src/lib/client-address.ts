/**
 * The address a storefront event is counted against. By default the connection's own peer:
 * headers are the client's to write, so an X-Forwarded-For the shop does not control proves
 * nothing. Behind `trustedProxyHops` proxies that each append the address they saw, the client
 * is the entry that many hops from the right of the chain (the header's entries, then the peer).
 */
export function clientAddress(
  { socketAddress, forwardedFor }: { socketAddress: string | undefined; forwardedFor: string | string[] | undefined },
  trustedProxyHops: number
): string {
  const peer = socketAddress ?? "unknown"
  if (trustedProxyHops <= 0) return peer
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor ?? ""
  const chain = [
    ...header
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    peer,
  ]
  return chain[Math.max(0, chain.length - 1 - trustedProxyHops)]
}
