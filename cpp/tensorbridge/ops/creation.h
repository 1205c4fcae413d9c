// Factory functions (torch.zeros, arange, ...). Sampling factories live in random/.
#pragma once
#include <optional>

#include "tensorbridge/tensor.h"

namespace tb {

// Fills every element of t with v (converted to t's dtype); bumps the version. RuntimeError when v
// does not fit the dtype (check_fill_value), as torch's fill_.
void fill_(const Tensor& t, const Scalar& v);
// torch's check of a number written into numel elements of dtype dt (fill_, torch.full, t[i] = v):
// RuntimeError "value cannot be converted to type uint8_t without overflow" when v does not fit dt
// (check_number_fits in promotion.h) -- except that torch writes into a one-element float16 or
// bfloat16 tensor through double unchecked (too large becomes +-inf; only a complex number with
// an imaginary part fails, naming double).
void check_fill_value(const Scalar& v, DType dt, int64_t numel);
void zero_(const Tensor& t);
Tensor zeros(const Shape& shape, DType dtype = kDefaultFloat, Device device = kCPU);
Tensor ones(const Shape& shape, DType dtype = kDefaultFloat, Device device = kCPU);
// dtype defaults as torch: bool -> bool, int -> int64, float -> float32, complex -> complex64.
// The value is converted unchecked (wraps or rounds); torch.full's overflow check is the caller's
// (check_fill_value; the Python binding makes it).
Tensor full(const Shape& shape, const Scalar& value, std::optional<DType> dtype = std::nullopt,
            Device device = kCPU);
// [start, end) by step; dtype defaults to int64 if all three are integral, else float32.
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype = std::nullopt, Device device = kCPU);
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps,
                std::optional<DType> dtype = std::nullopt, Device device = kCPU);
Tensor eye(int64_t n, int64_t m = -1, DType dtype = kDefaultFloat, Device device = kCPU);
// The dtype torch infers for a Python scalar of this kind.
DType default_dtype_for(const Scalar& s);

}  // namespace tb
