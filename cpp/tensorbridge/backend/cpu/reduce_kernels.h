// CPU kernels of the reductions. Inputs are valid (checked by ops/reduce.cpp).
#pragma once
#include <cstdint>

#include "tensorbridge/tensor.h"

namespace tb::cpu {

// Mean is Sum divided by the divisor (always, even by 1: complex division has its special values).
enum class ReduceKind : uint8_t { Sum, Mean, Prod, Max, Min, All, Any };

// out[i] = reduction of x over the dims where out (keepdim geometry, same ndim as x) has size 1,
// divided by `divisor` for Mean. x and out have the same dtype, except All/Any whose out is
// bool. Floating sums and means go through cascade_sum_kernel (sum_kernels.h: pairwise, in float
// for float32/16/bf16) where it applies; otherwise floats accumulate in double, integers in 64
// bits (wrapping).
void reduce_kernel(ReduceKind kind, const Tensor& x, const Tensor& out, double divisor = 1.0);

// Index (and value) of the max/min along `dim` (first occurrence; NaN wins). out_values may be
// undefined (argmax). out tensors have x's shape with dim of size 1.
void arg_reduce_kernel(bool is_max, const Tensor& x, int64_t dim, const Tensor& out_values,
                       const Tensor& out_indices);

// Running sum/product along dim; x and out have the same dtype and shape.
void cumulative_kernel(bool is_sum, const Tensor& x, int64_t dim, const Tensor& out);

}  // namespace tb::cpu
