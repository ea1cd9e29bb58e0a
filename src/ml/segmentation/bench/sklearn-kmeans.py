"""scikit-learn side of scripts/bench-ml-kmeans.mjs: KMeans on the same float64 matrix.

usage: sklearn-kmeans.py FILE N D K N_INIT [SEED]
FILE holds N x D float64 values, row-major, little-endian (as written by the bench).
Prints one JSON line: inertia, fit seconds (fit only, not the file read), n_iter, versions,
and the BLAS/OpenMP pools threadpoolctl sees (to tell which kernel ran).
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans

path, n, d, k, n_init = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 0
X = np.fromfile(path, dtype="<f8", count=n * d).reshape(n, d)
t = time.perf_counter()
km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X)
seconds = time.perf_counter() - t
try:
    from threadpoolctl import threadpool_info
    pools = [{"api": p.get("user_api"), "lib": p.get("internal_api"), "threads": p.get("num_threads"), "arch": p.get("architecture")} for p in threadpool_info()]
except Exception:  # threadpoolctl missing: the timing is still valid
    pools = []
print(json.dumps({"inertia": float(km.inertia_), "seconds": seconds, "n_iter": int(km.n_iter_), "sklearn": sklearn.__version__, "numpy": np.__version__, "pools": pools}))
