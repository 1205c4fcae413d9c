// Element-wise operations with PyTorch's semantics: type promotion (ops/promotion.h),
// broadcasting (stride-0 views), in-place forms and out= forms.
// Adding an op: one row in the table below, one functor in backend/cpu/elementwise_functors.h,
// one binding row in bindings/ops_elementwise_py.cpp, one test row (docs/ops.md).
#pragma once
#include <optional>
#include <string_view>

#include "tensorbridge/ops/promotion.h"
#include "tensorbridge/tensor.h"

namespace tb {

// How an op's result dtype follows from its (promoted) input dtype.
enum class ResultRule : uint8_t {
  Same,     // the promoted dtype
  ToFloat,  // bool/integer inputs give the default float dtype (exp, sqrt, true division ...)
  ToReal,   // complex gives its real dtype (abs)
  ToBool,   // comparisons, logical ops, isnan ...
};

// _(name, result rule)
#define TB_FORALL_UNARY_OPS(_) \
  _(neg, Same)                 \
  _(abs, ToReal)               \
  _(sign, Same)                \
  _(floor, Same)               \
  _(ceil, Same)                \
  _(round, Same)               \
  _(trunc, Same)               \
  _(relu, Same)                \
  _(bitwise_not, Same)         \
  _(logical_not, ToBool)       \
  _(isnan, ToBool)             \
  _(isinf, ToBool)             \
  _(isfinite, ToBool)          \
  _(exp, ToFloat)              \
  _(exp2, ToFloat)             \
  _(expm1, ToFloat)            \
  _(log, ToFloat)              \
  _(log2, ToFloat)             \
  _(log10, ToFloat)            \
  _(log1p, ToFloat)            \
  _(sqrt, ToFloat)             \
  _(rsqrt, ToFloat)            \
  _(sin, ToFloat)              \
  _(cos, ToFloat)              \
  _(tan, ToFloat)              \
  _(asin, ToFloat)             \
  _(acos, ToFloat)             \
  _(atan, ToFloat)             \
  _(sinh, ToFloat)             \
  _(cosh, ToFloat)             \
  _(tanh, ToFloat)             \
  _(sigmoid, ToFloat)          \
  _(erf, ToFloat)              \
  _(reciprocal, ToFloat)

// _(name, result rule). div is true division; div_trunc/div_floor are div's rounding modes.
#define TB_FORALL_BINARY_OPS(_) \
  _(add, Same)                  \
  _(sub, Same)                  \
  _(mul, Same)                  \
  _(div, ToFloat)               \
  _(div_trunc, Same)            \
  _(div_floor, Same)            \
  _(remainder, Same)            \
  _(fmod, Same)                 \
  _(pow, Same)                  \
  _(atan2, ToFloat)             \
  _(minimum, Same)              \
  _(maximum, Same)              \
  _(bitwise_and, Same)          \
  _(bitwise_or, Same)           \
  _(bitwise_xor, Same)          \
  _(bitwise_left_shift, Same)   \
  _(bitwise_right_shift, Same)  \
  _(logical_and, ToBool)        \
  _(logical_or, ToBool)         \
  _(logical_xor, ToBool)        \
  _(eq, ToBool)                 \
  _(ne, ToBool)                 \
  _(lt, ToBool)                 \
  _(le, ToBool)                 \
  _(gt, ToBool)                 \
  _(ge, ToBool)

enum class UnaryOp : uint8_t {
#define TB_ENUM(name, rule) name,
  TB_FORALL_UNARY_OPS(TB_ENUM)
};
enum class BinaryOp : uint8_t { TB_FORALL_BINARY_OPS(TB_ENUM)
#undef TB_ENUM
};

std::string_view op_name(UnaryOp op);
std::string_view op_name(BinaryOp op);
ResultRule result_rule(UnaryOp op);
ResultRule result_rule(BinaryOp op);

// One input of a binary op: a tensor, or a Python scalar ("wrapped number", Note [Operand
// priority]) that is materialised only once the computation dtype is known.
struct Operand {
  Operand(const Tensor& t) : tensor(t) {}  // NOLINT(implicit)
  Operand(const Scalar& s) : scalar(s), is_scalar(true) {}  // NOLINT(implicit)
  Tensor tensor;
  Scalar scalar;
  bool is_scalar = false;
};

// ---- generic entry points -------------------------------------------------------------------
Tensor unary(UnaryOp op, const Tensor& x);
void unary_out(UnaryOp op, const Tensor& x, const Tensor& out);
// In place on x: checks writability and the cast back to x's dtype; bumps x's version.
void unary_(UnaryOp op, const Tensor& x);

Tensor binary(BinaryOp op, const Operand& a, const Operand& b);
void binary_out(BinaryOp op, const Operand& a, const Operand& b, const Tensor& out);
void binary_(BinaryOp op, const Tensor& self, const Operand& b);
// The dtype binary(op, a, b) would return (TypeError/RuntimeError as torch when unsupported).
DType binary_result_dtype(BinaryOp op, const Operand& a, const Operand& b);

// ---- ops with extra arguments ---------------------------------------------------------------
// a + alpha * b, a - alpha * b.
// (add(a, b) and sub(a, b) without alpha are the shortcuts at the end of this file.)
Tensor add(const Operand& a, const Operand& b, const Scalar& alpha);
Tensor sub(const Operand& a, const Operand& b, const Scalar& alpha);
void add_out(const Operand& a, const Operand& b, const Scalar& alpha, const Tensor& out);
void sub_out(const Operand& a, const Operand& b, const Scalar& alpha, const Tensor& out);
void add_(const Tensor& self, const Operand& b, const Scalar& alpha = Scalar(int64_t(1)));
void sub_(const Tensor& self, const Operand& b, const Scalar& alpha = Scalar(int64_t(1)));
// rounding_mode: nullopt (true division), "trunc" or "floor".
BinaryOp div_op(const std::optional<std::string_view>& rounding_mode);

Tensor round(const Tensor& x, int64_t decimals);
void round_out(const Tensor& x, int64_t decimals, const Tensor& out);
void round_(const Tensor& x, int64_t decimals);

// clamp: min and/or max (each a tensor, a scalar, or absent); the result type promotes all three.
Tensor clamp(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max);
void clamp_out(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max,
               const Tensor& out);
void clamp_(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max);

// where(cond, a, b): cond must be bool; a and b promote like a binary op.
Tensor where(const Tensor& cond, const Operand& a, const Operand& b);
void where_out(const Tensor& cond, const Operand& a, const Operand& b, const Tensor& out);

Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
               bool equal_nan = false);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8,
              bool equal_nan = false);
// torch.equal: same shape and same values.
bool equal(const Tensor& a, const Tensor& b);

// ---- named shortcuts for C++ users: tb::exp(x), tb::mul(a, b) ... ---------------------------
#define TB_UNARY_FN(name, rule) \
  inline Tensor name(const Tensor& x) { return unary(UnaryOp::name, x); }
TB_FORALL_UNARY_OPS(TB_UNARY_FN)
#undef TB_UNARY_FN
#define TB_BINARY_FN(name, rule) \
  inline Tensor name(const Operand& a, const Operand& b) { return binary(BinaryOp::name, a, b); }
TB_FORALL_BINARY_OPS(TB_BINARY_FN)
#undef TB_BINARY_FN

// Shared by the front ends (elementwise and reduce): makes `out` hold `shape` (resizing it like
// torch when the shape differs) after checking that `result` may be cast to out's dtype.
void prepare_out(const Tensor& out, const Shape& shape, DType result, const char* op);

}  // namespace tb
