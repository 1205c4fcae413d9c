// BLAS and our kernels share one thread pool: OpenBLAS (0.3.27 and later) lets the application run
// its threaded work (openblas_set_threads_callback_function), and we run it on parallel.h's pool.
// Two pools on the same cores took the cores from each other (a training step that alternates
// matrix products and element-wise kernels ran several times slower). With an older OpenBLAS the
// library keeps its own threads.
#pragma once

namespace tb::cpu {

// Installs the callback and gives OpenBLAS our thread count, once; cheap after the first call.
// Every BLAS/LAPACK entry point in blas.cpp calls it first.
void blas_threads_setup();

// Keeps OpenBLAS's thread count equal to ours (called by set_num_threads).
void set_blas_num_threads(int n);

// Whether OpenBLAS's threaded work runs on our pool (false with an OpenBLAS that lacks the callback).
bool blas_uses_our_pool();

}  // namespace tb::cpu
