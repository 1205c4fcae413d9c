// Internal: the 16-wide Box–Muller transforms of torch's vectorised normal fill (spec §4.3/§4.4).
#pragma once
#include <cstdint>

namespace tb::rng {
// AVX2 float32 transform of nblocks consecutive blocks of 16 uniforms (normal_avx2.cpp).
// Only call when capability() == Capability::Avx2.
void normal_blocks_avx2(float* d, int64_t nblocks, float mean, float std);
bool have_avx2_kernel();
}  // namespace tb::rng
