# (empty for now) third-party libraries the core links: BLAS, threads
