// Helpers for kernels that use more than the baseline x86-64 instruction set.
//
// TB_CLONES on a (non-template) function makes GCC compile it three times, for x86-64-v4
// (AVX-512), x86-64-v3 (AVX2, FMA, F16C) and the baseline, and pick the variant once when the
// library is loaded (an ifunc). Loops in such a function, and the inline code it calls, are
// auto-vectorised for each target. The variants may differ in the last bit where FMA contracts a
// multiplication and an addition; the order of additions is fixed by the source.
// Files using it are compiled with -fno-trapping-math (see CMakeLists.txt) so that
// compare-and-select code vectorises.
#pragma once
#include <cstdint>

#include "tensorbridge/half.h"

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define TB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TB_CLONES
#endif

#if defined(__GNUC__)
#define TB_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TB_ALWAYS_INLINE inline
#endif

namespace tb::cpu {

// out[i] = float(in[i]): F16C's conversion instruction where the CPU has it.
void half_to_float(const Half* in, float* out, int64_t n);

}  // namespace tb::cpu
