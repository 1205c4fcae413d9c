// CPU kernels of the element-wise ops. Inputs are valid (the ops/ front end checked them): all
// operands have `shape` after broadcasting (strides 0 where broadcast), inputs already have the
// computation dtype. Kernels throw only before they touch memory (unsupported dtype).
#pragma once
#include "tensorbridge/ops/elementwise.h"

namespace tb::cpu {

struct StridedPtr {
  void* data;
  const Strides* strides;
};

// out = op(a, b); a and b of dtype `dt`; out of dtype `dt`, or bool for ToBool ops.
void binary_kernel(BinaryOp op, DType dt, const Shape& shape, StridedPtr out, StridedPtr a, StridedPtr b);
// out = op(x); x of dtype `dt`; out of the op's result dtype for `dt`.
void unary_kernel(UnaryOp op, DType dt, const Shape& shape, StridedPtr out, StridedPtr x);
// out = round(x * 10^d) / 10^d (nearest, ties to even), float dtypes.
void round_decimals_kernel(DType dt, int64_t decimals, const Shape& shape, StridedPtr out, StridedPtr x);
// out = cond ? a : b; cond bool, a/b/out of dtype dt.
void where_kernel(DType dt, const Shape& shape, StridedPtr out, StridedPtr cond, StridedPtr a, StridedPtr b);
// out (bool) = isclose(a, b); a and b of dtype dt.
void isclose_kernel(DType dt, const Shape& shape, StridedPtr out, StridedPtr a, StridedPtr b, double rtol,
                    double atol, bool equal_nan);
// True if any element is zero (integer division checks).
bool any_zero(DType dt, const Shape& shape, StridedPtr x);

}  // namespace tb::cpu
