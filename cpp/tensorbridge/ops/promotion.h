// Type promotion of operations (torch.result_type, can_cast) and of NumPy's operators (the
// ndarray-mixing path, numpy_bridge.md §5). The pairwise table itself is tb::promote_types.
#pragma once
#include <cstdint>

#include "tensorbridge/tensor.h"

namespace tb {

// Note [Operand priority]
// torch ranks the operands of an op: tensors with dim > 0 first, then 0-d tensors, then wrapped
// numbers (Python scalars). A lower-ranked operand only decides the result when it is of a higher
// category (bool < integer < floating < complex); within a category it never upgrades the dtype.
// Wrapped floats count as the default float dtype, wrapped complex as the default complex dtype.
class ResultType {
 public:
  ResultType& add(const Tensor& t, bool wrapped = false);
  ResultType& add(const Scalar& s);
  // The promoted dtype; TypeError like torch when nothing was added.
  DType result() const;

 private:
  static constexpr uint8_t kNone = 255;
  uint8_t dim_ = kNone, zero_ = kNone, wrapped_ = kNone;
};

// The natural dtype of a Python scalar: bool, int64, float64 or complex128.
DType scalar_dtype(const Scalar& s);

DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Scalar& b);
DType result_type(const Scalar& a, const Scalar& b);

// torch.can_cast: no complex -> real, no floating -> integral, no non-bool -> bool.
bool can_cast(DType from, DType to);
// RuntimeError "result type Float can't be cast to the desired output type Long" unless allowed.
void check_can_cast_to_output(DType result, DType out);

// torch's checked conversion of a number to a dtype (c10's `overflows`), used where torch converts
// a Python number with Scalar::to<T>() -- pow's exponent, clamp's bounds, scatter's value:
// RuntimeError "value cannot be converted to type c10::Half without overflow" when a finite value
// lies outside the dtype's range (inf/nan pass for floating dtypes), a float is negative for an
// unsigned dtype, an integer is below -max for an unsigned dtype (above wraps), or a complex
// number with a nonzero imaginary part meets a real dtype. Bool never fails.
void check_number_fits(const Scalar& v, DType dt);

// NumPy's promotion of two array dtypes (np.result_type of two arrays), used when a tensor meets
// an ndarray. BFloat16 has no NumPy counterpart: TypeError as Tensor.numpy() gives.
DType numpy_promote_types(DType a, DType b);

}  // namespace tb
