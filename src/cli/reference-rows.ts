/**
 * the evaluation protocol's (docs/evaluation.md) reference rows for the development split (Online Retail to 2011-08-31,
 * cutoff 2011-06-01), in the order: all R@20, NDCG@10, HR@10, cov@20, new R@20, NDCG@10,
 * HR@10, cov@20. Matching them to 4 decimals shows the protocol is implemented as specified.
 */
export const DEV_SPLIT = { cutoff: "2011-06-01", end: "2011-09-01" }

export const REFERENCE_ROWS: Record<string, readonly number[]> = {
  popularity: [0.1185, 0.1432, 0.619, 0.0064, 0.0689, 0.0662, 0.3895, 0.029],
  "buy-again": [0.3724, 0.4058, 0.8713, 0.5586, 0.0689, 0.0662, 0.3895, 0.029],
  "item-knn": [0.2684, 0.272, 0.7299, 0.5125, 0.1506, 0.1374, 0.5507, 0.3433],
  ease: [0.3231, 0.3345, 0.7991, 0.3742, 0.1678, 0.151, 0.598, 0.3253],
}
