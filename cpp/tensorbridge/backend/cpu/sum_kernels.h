// Pairwise (cascade) floating sums (sum_kernels.cpp): sum and mean through reduce_kernel, and
// the 1- and 2-norms.
#pragma once
#include <cstdint>

#include "tensorbridge/tensor.h"

namespace tb::cpu {

// What is added up: the values, their absolute values, or their squares.
enum class SumOf : uint8_t { Values, Abs, Squares };

// out = sum of (what of) x over the dims where out (keepdim geometry, contiguous, x's dtype)
// has size 1, divided by `divisor` when it is not 1. Handles real floating dtypes --
// float32/float16/bfloat16 accumulated in float (as torch), float64 in double -- when every dim
// is reduced or the reduced dims collapse into one. Returns false, touching nothing, otherwise
// (other dtypes, empty x, several separate reduced dims): the caller falls back.
bool cascade_sum_kernel(const Tensor& x, const Tensor& out, double divisor, SumOf what = SumOf::Values);

}  // namespace tb::cpu
