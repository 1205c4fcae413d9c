// Front end of the element-wise ops: validation, promotion, broadcasting, output allocation.
// The kernels (backend/cpu/*_kernels.cpp) only compute.
#include "tensorbridge/ops/elementwise.h"

#include <array>
#include <limits>
#include <string>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/backend/cpu/elementwise_kernels.h"
#include "tensorbridge/backend/cpu/loops.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/error.h"

namespace tb {

namespace {

// Parallel tables of the op rows (habit 1): names and result rules.
constexpr std::string_view kUnaryNames[] = {
#define TB_ROW(name, rule) #name,
    TB_FORALL_UNARY_OPS(TB_ROW)
#undef TB_ROW
};
constexpr ResultRule kUnaryRules[] = {
#define TB_ROW(name, rule) ResultRule::rule,
    TB_FORALL_UNARY_OPS(TB_ROW)
#undef TB_ROW
};
constexpr std::string_view kBinaryNames[] = {
#define TB_ROW(name, rule) #name,
    TB_FORALL_BINARY_OPS(TB_ROW)
#undef TB_ROW
};
constexpr ResultRule kBinaryRules[] = {
#define TB_ROW(name, rule) ResultRule::rule,
    TB_FORALL_BINARY_OPS(TB_ROW)
#undef TB_ROW
};
static_assert(std::size(kUnaryNames) == std::size(kUnaryRules));
static_assert(std::size(kBinaryNames) == std::size(kBinaryRules));

const Shape kScalarShape{};

const Shape& shape_of(const Operand& o) { return o.is_scalar ? kScalarShape : o.tensor.shape(); }
bool operand_is_bool(const Operand& o) {
  return o.is_scalar ? o.scalar.is_bool() : o.tensor.dtype() == DType::Bool;
}
void add_operand(ResultType& rt, const Operand& o) {
  if (o.is_scalar) rt.add(o.scalar);
  else rt.add(o.tensor);
}

// An operand ready for a kernel: data of the computation dtype, strides broadcast to the output.
// Scalars live in `buf` (no allocation). Not copyable: `ptr.data` may point into `buf`.
struct Input {
  Input() = default;
  Input(const Input&) = delete;
  Tensor keep;
  alignas(16) unsigned char buf[16];
  Strides strides;
  cpu::StridedPtr ptr{nullptr, nullptr};

  void set(const Operand& o, DType dt, const Shape& shape) {
    if (o.is_scalar) {
      dispatch_dtype(dt, [&]<typename T>() { *reinterpret_cast<T*>(buf) = o.scalar.to<T>(); });
      strides = Strides(shape.size(), 0);
      ptr = {buf, &strides};
      return;
    }
    keep = o.tensor.dtype() == dt ? o.tensor : to_dtype(o.tensor, dt);
    if (keep.shape() == shape) {
      ptr = {keep.data_ptr(), &keep.strides()};
    } else {
      strides = cpu::broadcast_strides_to(keep.shape(), keep.strides(), shape);
      ptr = {keep.data_ptr(), &strides};
    }
  }
};

struct BinaryPlan {
  DType compute;
  DType result;
  Shape shape;
};

std::string legacy(DType dt) { return std::string(dtype_legacy_name(dt)); }

BinaryPlan plan_binary(BinaryOp op, const Operand& a, const Operand& b) {
  if (op == BinaryOp::sub && (operand_is_bool(a) || operand_is_bool(b))) {
    if (operand_is_bool(a) && operand_is_bool(b))
      throw RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                         "Use the `^` or `logical_xor()` operator instead.");
    throw RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                       "If you are trying to invert a mask, use the `~` or `logical_not()` operator "
                       "instead.");
  }
  ResultType rt;
  add_operand(rt, a);
  add_operand(rt, b);
  const DType common = rt.result();
  if (op == BinaryOp::pow && b.is_scalar && b.scalar.is_integral() && b.scalar.to_int64() < 0 &&
      is_integral(common, true))
    throw RuntimeError("Integers to negative integer powers are not allowed.");
  // (torch checks a number exponent of float16/bfloat16/integer tensors; float32/64 keep it in double)
  if (op == BinaryOp::pow && b.is_scalar && !a.is_scalar &&
      (common == DType::Float16 || common == DType::BFloat16 || is_integral(common, false)))
    check_number_fits(b.scalar, common);
  if ((op == BinaryOp::minimum || op == BinaryOp::maximum) && is_complex(common))
    throw RuntimeError(std::string(op_name(op)) + " not implemented for complex tensors.");
  BinaryPlan p;
  const ResultRule rule = result_rule(op);
  p.compute = (rule == ResultRule::ToFloat && is_integral(common, true)) ? kDefaultFloat : common;
  p.result = rule == ResultRule::ToBool ? DType::Bool : p.compute;
  const Shape& sa = shape_of(a);
  const Shape& sb = shape_of(b);
  p.shape = sa == sb ? sa : broadcast_shapes(sa, sb);
  return p;
}

bool is_int_division(BinaryOp op) {
  return op == BinaryOp::div_trunc || op == BinaryOp::div_floor || op == BinaryOp::remainder ||
         op == BinaryOp::fmod;
}

// Computes op(a, b) into `out` (shape p.shape, dtype p.result).
// Note [reduced-float opmath]
// Float16/BFloat16 ops round every operand to the computation dtype first (a Python float or 0-d
// tensor included: `h - 0.1` subtracts float16(0.1)), except torch's CPU kernels of mul and div
// (all rounding modes) when the *second* operand is a single element: that one is read from its
// own dtype into float32 and the op runs in float32 (`h / int32 tensor([65520])` is 1.5e-05, not
// h / inf). Checked against torch 2.13 for every binary op, scalar kind and operand order.
bool reduced_opmath(BinaryOp op, DType compute, const Operand& b) {
  return (compute == DType::Float16 || compute == DType::BFloat16) &&
         (op == BinaryOp::mul || op == BinaryOp::div || op == BinaryOp::div_trunc || op == BinaryOp::div_floor) &&
         (b.is_scalar || b.tensor.numel() == 1);
}

void run_binary(BinaryOp op, const BinaryPlan& p, const Operand& a, const Operand& b, const Tensor& out) {
  if (reduced_opmath(op, p.compute, b)) {
    BinaryPlan pf = p;
    pf.compute = pf.result = DType::Float32;
    Tensor tmp = empty(p.shape, DType::Float32);
    const Tensor ra = a.is_scalar ? full({}, a.scalar, p.compute) : to_dtype(a.tensor, p.compute);
    const Operand fb = b.is_scalar ? b : Operand(to_dtype(b.tensor, DType::Float32));
    run_binary(op, pf, Operand(to_dtype(ra, DType::Float32)), fb, tmp);
    copy_(out, tmp);
    return;
  }
  if (op == BinaryOp::pow && b.is_scalar && !a.is_scalar) {
    // torch answers x ** 1 with a copy and x ** 0 with ones before looking for a kernel
    const std::complex<double> e = b.scalar.to_complex();
    if (e == 1.0 || e == 0.0) {
      Tensor src = e == 1.0 ? to_dtype(a.tensor, p.compute) : full({}, Scalar(int64_t(1)), p.compute);
      copy_(out, src);
      return;
    }
    if (p.compute == DType::BFloat16 && (e == 3.0 || e == -2.0)) {
      // torch's bfloat16 x ** 3 and x ** -2 multiply in bfloat16 (x * x rounded first)
      const Tensor x = to_dtype(a.tensor, p.compute);
      const Tensor sq = binary(BinaryOp::mul, x, x);
      copy_(out, e == 3.0 ? binary(BinaryOp::mul, sq, x) : unary(UnaryOp::reciprocal, sq));
      return;
    }
  }
  Input ia, ib;
  ia.set(a, p.compute, p.shape);
  ib.set(b, p.compute, p.shape);
  if (is_int_division(op) && is_integral(p.compute, false) && cpu::any_zero(p.compute, p.shape, ib.ptr))
    throw RuntimeError("ZeroDivisionError");
  cpu::binary_kernel(op, p.compute, p.shape, {out.data_ptr(), &out.strides()}, ia.ptr, ib.ptr);
}

void check_inplace_shape(const Tensor& self, const Shape& shape) {
  if (shape != self.shape())
    throw RuntimeError("output with shape " + shape_str(self.shape()) +
                       " doesn't match the broadcast shape " + shape_str(shape));
}

std::string inplace_name(std::string_view name) { return std::string(name) + "_"; }

// Writes `compute` (a callable filling a tensor of dtype `result`, shape `shape`) into out,
// through a temporary when out's dtype differs.
template <typename F>
void write_to(const Tensor& out, DType result, F&& compute) {
  if (out.dtype() == result) {
    compute(out);
  } else {
    Tensor tmp = empty(out.shape(), result);
    compute(tmp);
    copy_(out, tmp);
  }
}

struct UnaryPlan {
  DType compute;
  DType result;
};

UnaryPlan plan_unary(UnaryOp op, DType in) {
  if (op == UnaryOp::neg && in == DType::Bool)
    throw RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                       "trying to invert a mask, use the `~` or `logical_not()` operator instead.");
  if (op == UnaryOp::relu && in == DType::Bool) throw RuntimeError("Boolean inputs not supported for relu");
  if (op == UnaryOp::sign && is_complex(in))
    throw NotImplementedError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                              "Please use torch.sgn instead.");
  switch (result_rule(op)) {
    case ResultRule::Same: return {in, in};
    case ResultRule::ToFloat: {
      DType c = is_integral(in, true) ? kDefaultFloat : in;
      return {c, c};
    }
    case ResultRule::ToReal: return {in, to_real(in)};
    case ResultRule::ToBool: return {in, DType::Bool};
  }
  return {in, in};
}

void run_unary(UnaryOp op, const UnaryPlan& p, const Tensor& x, const Tensor& out) {
  Tensor xc = x.dtype() == p.compute ? x : to_dtype(x, p.compute);
  cpu::unary_kernel(op, p.compute, x.shape(), {out.data_ptr(), &out.strides()}, {xc.data_ptr(), &xc.strides()});
}

bool all_true(const Tensor& b) {
  return !cpu::any_zero(DType::Bool, b.shape(), {b.data_ptr(), &b.strides()});
}

}  // namespace

std::string_view op_name(UnaryOp op) { return kUnaryNames[size_t(op)]; }
std::string_view op_name(BinaryOp op) { return kBinaryNames[size_t(op)]; }
ResultRule result_rule(UnaryOp op) { return kUnaryRules[size_t(op)]; }
ResultRule result_rule(BinaryOp op) { return kBinaryRules[size_t(op)]; }

void prepare_out(const Tensor& out, const Shape& shape, DType result, const char* op) {
  check_can_cast_to_output(result, out.dtype());
  out.check_writable(op);
  resize_(out, shape);  // torch resizes out= tensors of another shape
  out.check_no_internal_overlap();
}

// ---- unary -----------------------------------------------------------------------------------
Tensor unary(UnaryOp op, const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::unary(op, x);
  const UnaryPlan p = plan_unary(op, x.dtype());
  Tensor out = empty(x.shape(), p.result);
  run_unary(op, p, x, out);
  return out;
}

void unary_out(UnaryOp op, const Tensor& x, const Tensor& out) {
  autograd::check_out_allowed(op_name(op), {x, out});
  const UnaryPlan p = plan_unary(op, x.dtype());
  const std::string name(op_name(op));
  const ResultRule rule = result_rule(op);
  if ((rule == ResultRule::Same || (rule == ResultRule::ToReal && !is_complex(x.dtype()))) &&
      out.dtype() != p.result)
    throw RuntimeError("Found dtype " + legacy(out.dtype()) + " but expected " + legacy(p.result));
  prepare_out(out, x.shape(), p.result, name.c_str());
  write_to(out, p.result, [&](const Tensor& dst) { run_unary(op, p, x, dst); });
  if (out.dtype() == p.result) out.bump_version();
}

void unary_(UnaryOp op, const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::unary_(op, x);
  if (op == UnaryOp::abs && is_complex(x.dtype()))
    throw RuntimeError("In-place abs is not supported for complex tensors.");
  const UnaryPlan p = plan_unary(op, x.dtype());
  const std::string name = inplace_name(op_name(op));
  check_can_cast_to_output(p.result, x.dtype());
  x.check_writable(name.c_str());
  x.check_no_internal_overlap();
  write_to(x, p.result, [&](const Tensor& dst) { run_unary(op, p, x, dst); });
  if (x.dtype() == p.result) x.bump_version();
}

Tensor round(const Tensor& x, int64_t decimals) {
  if (decimals == 0) return unary(UnaryOp::round, x);
  if (autograd::needs_grad(x)) return autograd::round(x, decimals);
  Tensor out = empty(x.shape(), x.dtype());
  cpu::round_decimals_kernel(x.dtype(), decimals, x.shape(), {out.data_ptr(), &out.strides()},
                             {x.data_ptr(), &x.strides()});
  return out;
}

void round_out(const Tensor& x, int64_t decimals, const Tensor& out) {
  autograd::check_out_allowed("round", {x, out});
  Tensor r = round(x, decimals);
  prepare_out(out, r.shape(), r.dtype(), "round");
  copy_(out, r);
}

void round_(const Tensor& x, int64_t decimals) {
  if (decimals == 0) return unary_(UnaryOp::round, x);
  if (autograd::needs_grad(x)) return autograd::round_(x, decimals);
  x.check_writable("round_");
  x.check_no_internal_overlap();
  Tensor r = round(x, decimals);
  copy_(x, r);
}

// ---- binary ----------------------------------------------------------------------------------
DType binary_result_dtype(BinaryOp op, const Operand& a, const Operand& b) {
  return plan_binary(op, a, b).result;
}

Tensor binary(BinaryOp op, const Operand& a, const Operand& b) {
  if (autograd::needs_grad_op(a, b)) return autograd::binary(op, a, b);
  if (!a.is_scalar && !b.is_scalar) {
    // Fast path for the commonest call (same dtype, same shape, plain arithmetic): promotion and
    // broadcasting are identities there and no op-specific check applies.
    const Tensor& x = a.tensor;
    const Tensor& y = b.tensor;
    const DType dt = x.dtype();
    const bool flt = dt == DType::Float32 || dt == DType::Float64;
    const bool arith = op == BinaryOp::add || op == BinaryOp::mul ||
                       ((op == BinaryOp::sub || op == BinaryOp::div) && flt);
    if (arith && dt == y.dtype() && (flt || dt == DType::Int64 || dt == DType::Int32) && x.shape() == y.shape()) {
      Tensor out = empty(x.shape(), dt);
      cpu::binary_kernel(op, dt, x.shape(), {out.data_ptr(), &out.strides()}, {x.data_ptr(), &x.strides()},
                         {y.data_ptr(), &y.strides()});
      return out;
    }
  }
  const BinaryPlan p = plan_binary(op, a, b);
  Tensor out = empty(p.shape, p.result);
  run_binary(op, p, a, b, out);
  return out;
}

void binary_out(BinaryOp op, const Operand& a, const Operand& b, const Tensor& out) {
  autograd::check_out_allowed(op_name(op).substr(0, 3) == "div" ? "div" : op_name(op),
                              {a.is_scalar ? Tensor() : a.tensor, b.is_scalar ? Tensor() : b.tensor, out});
  const BinaryPlan p = plan_binary(op, a, b);
  const std::string name(op_name(op));
  prepare_out(out, p.shape, p.result, name.c_str());
  write_to(out, p.result, [&](const Tensor& dst) { run_binary(op, p, a, b, dst); });
  if (out.dtype() == p.result) out.bump_version();
}

void binary_(BinaryOp op, const Tensor& self, const Operand& b) {
  if (autograd::needs_grad(self) || autograd::needs_grad_op(b)) return autograd::binary_(op, self, b);
  const Operand a(self);
  const BinaryPlan p = plan_binary(op, a, b);
  const std::string name = inplace_name(op_name(op));
  check_inplace_shape(self, p.shape);
  check_can_cast_to_output(p.result, self.dtype());
  self.check_writable(name.c_str());
  self.check_no_internal_overlap();
  write_to(self, p.result, [&](const Tensor& dst) { run_binary(op, p, a, b, dst); });
  if (self.dtype() == p.result) self.bump_version();
}

BinaryOp div_op(const std::optional<std::string_view>& mode) {
  if (!mode) return BinaryOp::div;
  if (*mode == "trunc") return BinaryOp::div_trunc;
  if (*mode == "floor") return BinaryOp::div_floor;
  throw RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '" +
                   std::string(*mode) + "'");
}

namespace {
bool is_one(const Scalar& s) {
  return s.is_integral() && s.to_int64() == 1;
}
// b * alpha as an operand of the computation dtype (torch's alpha checks first).
Operand scaled(const Operand& b, const Scalar& alpha, DType compute) {
  if (is_integral(compute, true) && (alpha.is_floating_point() || alpha.is_complex()))
    throw RuntimeError("For integral input tensors, argument alpha must not be a floating point number.");
  if (alpha.is_bool() && compute != DType::Bool)
    throw RuntimeError("Boolean alpha only supported for Boolean results.");
  if (alpha.is_complex() && !is_complex(compute))
    throw RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.");
  // (alpha is rounded to the computation dtype, as torch's kernels take it: float16 add with
  // alpha=0.1 scales by float16(0.1))
  const Tensor alpha_t = full({}, alpha, compute);
  if (b.is_scalar) return Operand(binary(BinaryOp::mul, full({}, b.scalar, compute), alpha_t));
  return Operand(binary(BinaryOp::mul, to_dtype(b.tensor, compute), alpha_t));
}
}  // namespace

#define TB_ALPHA_OP(name)                                                                     \
  Tensor name(const Operand& a, const Operand& b, const Scalar& alpha) {                      \
    if (is_one(alpha)) return binary(BinaryOp::name, a, b);                                   \
    if (autograd::needs_grad_op(a, b)) return autograd::binary(BinaryOp::name, a, b, alpha);  \
    const BinaryPlan p = plan_binary(BinaryOp::name, a, b);                                   \
    const Operand bs = scaled(b, alpha, p.compute);                                           \
    Tensor out = empty(p.shape, p.result);                                                    \
    run_binary(BinaryOp::name, p, a, bs, out);                                                \
    return out;                                                                               \
  }                                                                                           \
  void name##_out(const Operand& a, const Operand& b, const Scalar& alpha, const Tensor& out) { \
    autograd::check_out_allowed(#name, {a.is_scalar ? Tensor() : a.tensor,                    \
                                        b.is_scalar ? Tensor() : b.tensor, out});             \
    if (is_one(alpha)) return binary_out(BinaryOp::name, a, b, out);                          \
    const BinaryPlan p = plan_binary(BinaryOp::name, a, b);                                   \
    binary_out(BinaryOp::name, a, scaled(b, alpha, p.compute), out);                          \
  }                                                                                           \
  void name##_(const Tensor& self, const Operand& b, const Scalar& alpha) {                   \
    if (is_one(alpha)) return binary_(BinaryOp::name, self, b);                               \
    if (autograd::needs_grad(self) || autograd::needs_grad_op(b))                             \
      return autograd::binary_(BinaryOp::name, self, b, alpha);                               \
    const BinaryPlan p = plan_binary(BinaryOp::name, Operand(self), b);                       \
    binary_(BinaryOp::name, self, scaled(b, alpha, p.compute));                               \
  }
TB_ALPHA_OP(add)
TB_ALPHA_OP(sub)
#undef TB_ALPHA_OP

// ---- clamp, where, isclose ---------------------------------------------------------------------
// Note [clamp checks]
// torch has two clamp overloads with different checks. Number bounds (the Scalar overload): a
// complex input fails ("clamp is not supported for complex types"); a floating input keeps its
// dtype (the numbers do not promote it), any other input promotes with the numbers (bool with 0 ->
// int64) and a complex result fails the same way; in place, the result dtype must equal the input's
// (named by its C++ type: "long int"); out= must have the result dtype exactly; the kernel then
// reads each bound as double (a complex number with an imaginary part fails, naming double), then
// as the result dtype (check_number_fits); bool has no kernel ("clamp_scalar_cpu", or
// clamp_min/clamp_max_scalar_cpu for one bound). Tensor bounds: a complex input fails as above;
// the result promotes with the bounds; a complex result or bool with both bounds has no kernel
// ("clamp_cpu", or maximum_cpu/minimum_cpu for one bound).
namespace {
struct ClampPlan {
  DType result;
  bool number_bounds;
};

ClampPlan plan_clamp(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  if (!min && !max) throw RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (is_complex(x.dtype())) throw NotImplementedError("clamp is not supported for complex types");
  const bool numbers = (min && min->is_scalar) || (max && max->is_scalar);
  DType r = x.dtype();
  if (!numbers || !is_floating_point(r)) {
    ResultType rt;
    rt.add(x);
    if (min) add_operand(rt, *min);
    if (max) add_operand(rt, *max);
    r = rt.result();
  }
  return {r, numbers};
}

// The checks after the in-place / out= ones (see Note [clamp checks]).
void check_clamp_kernel(const ClampPlan& p, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  const bool both = min && max;
  if (!p.number_bounds) {
    if (is_complex(p.result) || (p.result == DType::Bool && both))
      throw NotImplementedError(std::string("\"") + (both ? "clamp_cpu" : min ? "maximum_cpu" : "minimum_cpu") +
                                "\" not implemented for '" + std::string(dtype_legacy_name(p.result)) + "'");
    return;
  }
  if (is_complex(p.result)) throw NotImplementedError("clamp is not supported for complex types");
  for (const std::optional<Operand>* o : {&min, &max})
    if (*o && (*o)->is_scalar && (*o)->scalar.is_complex() && (*o)->scalar.to_complex().imag() != 0)
      throw RuntimeError("value cannot be converted to type double without overflow");
  for (const std::optional<Operand>* o : {&min, &max})
    if (*o && (*o)->is_scalar) check_number_fits((*o)->scalar, p.result);
  if (p.result == DType::Bool)
    throw NotImplementedError(std::string("\"") +
                              (both ? "clamp_scalar_cpu" : min ? "clamp_min_scalar_cpu" : "clamp_max_scalar_cpu") +
                              "\" not implemented for 'Bool'");
}

// c10's C++ type names (caffe2::TypeMeta), which the in-place check of clamp's Scalar overload prints.
const char* cpp_type_name(DType dt) {
  switch (dt) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "unsigned char";
    case DType::Int8: return "signed char";
    case DType::Int16: return "short int";
    case DType::Int32: return "int";
    case DType::Int64: return "long int";
    case DType::UInt16: return "unsigned short";
    case DType::UInt32: return "unsigned int";
    case DType::UInt64: return "unsigned long";
    default: return "";  // (floating inputs keep their dtype: never printed)
  }
}
}  // namespace

Tensor clamp(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  if (!min && !max) throw RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (autograd::needs_grad(x) || (min && autograd::needs_grad_op(*min)) || (max && autograd::needs_grad_op(*max)))
    return autograd::clamp(x, min, max);
  const ClampPlan p = plan_clamp(x, min, max);
  check_clamp_kernel(p, min, max);
  const DType r = p.result;
  // (a complex number bound got here with no imaginary part, for a floating input: its real part)
  auto bound = [](const Operand& o) {
    return o.is_scalar && o.scalar.is_complex() ? Operand(Scalar(o.scalar.to_complex().real())) : o;
  };
  Tensor cur = to_dtype(x, r);
  if (min) cur = binary(BinaryOp::maximum, cur, bound(*min));
  if (max) cur = binary(BinaryOp::minimum, cur, bound(*max));
  return cur.dtype() == r ? cur : to_dtype(cur, r);
}

void clamp_out(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max,
               const Tensor& out) {
  autograd::check_out_allowed("clamp", {x, min && !min->is_scalar ? min->tensor : Tensor(),
                                        max && !max->is_scalar ? max->tensor : Tensor(), out});
  const ClampPlan p = plan_clamp(x, min, max);
  if (p.number_bounds && is_complex(p.result)) throw NotImplementedError("clamp is not supported for complex types");
  if (p.number_bounds && out.dtype() != p.result)
    throw RuntimeError("Found dtype " + std::string(dtype_legacy_name(out.dtype())) + " but expected " +
                       std::string(dtype_legacy_name(p.result)));
  Tensor r = clamp(x, min, max);
  prepare_out(out, r.shape(), r.dtype(), "clamp");
  copy_(out, r);
}

void clamp_(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  if (autograd::needs_grad(x) || (min && autograd::needs_grad_op(*min)) || (max && autograd::needs_grad_op(*max)))
    return autograd::clamp_(x, min, max);
  const ClampPlan p = plan_clamp(x, min, max);
  if (p.number_bounds && p.result != x.dtype())
    throw RuntimeError("result type " + std::string(dtype_legacy_name(p.result)) +
                       " can't be cast to the desired output type " + cpp_type_name(x.dtype()));
  if (!p.number_bounds) check_can_cast_to_output(p.result, x.dtype());
  Tensor r = clamp(x, min, max);
  check_inplace_shape(x, r.shape());
  check_can_cast_to_output(r.dtype(), x.dtype());
  x.check_writable("clamp_");
  x.check_no_internal_overlap();
  copy_(x, r);
}

Tensor where(const Tensor& cond_in, const Operand& a, const Operand& b) {
  if (autograd::needs_grad_op(a, b)) return autograd::where(cond_in, a, b);
  // torch still accepts uint8 conditions (deprecated)
  const Tensor cond = cond_in.dtype() == DType::UInt8 ? to_dtype(cond_in, DType::Bool) : cond_in;
  if (cond.dtype() != DType::Bool)
    throw RuntimeError("where expected condition to be a boolean tensor, but got a tensor with dtype " +
                       legacy(cond.dtype()));
  ResultType rt;
  add_operand(rt, a);
  add_operand(rt, b);
  const DType r = rt.result();
  for (const Operand* o : {&a, &b})  // an integer number must fit an integer result (c10's check)
    if (o->is_scalar && is_integral(r, false) && o->scalar.is_integral()) check_number_fits(o->scalar, r);
  const Shape shape = broadcast_shapes(cond.shape(), broadcast_shapes(shape_of(a), shape_of(b)));
  Input ia, ib, ic;
  ia.set(a, r, shape);
  ib.set(b, r, shape);
  ic.set(Operand(cond), DType::Bool, shape);
  Tensor out = empty(shape, r);
  cpu::where_kernel(r, shape, {out.data_ptr(), &out.strides()}, ic.ptr, ia.ptr, ib.ptr);
  return out;
}

void where_out(const Tensor& cond, const Operand& a, const Operand& b, const Tensor& out) {
  autograd::check_out_allowed("where", {a.is_scalar ? Tensor() : a.tensor, b.is_scalar ? Tensor() : b.tensor, out});
  Tensor r = where(cond, a, b);
  prepare_out(out, r.shape(), r.dtype(), "where");
  copy_(out, r);
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  if (a.dtype() != b.dtype()) throw RuntimeError(legacy(a.dtype()) + " did not match " + legacy(b.dtype()));
  if (rtol < 0) throw RuntimeError("rtol must be greater than or equal to zero, but got " + std::to_string(rtol));
  if (atol < 0) throw RuntimeError("atol must be greater than or equal to zero, but got " + std::to_string(atol));
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  Input ia, ib;
  ia.set(Operand(a), a.dtype(), shape);
  ib.set(Operand(b), b.dtype(), shape);
  Tensor out = empty(shape, DType::Bool);
  cpu::isclose_kernel(a.dtype(), shape, {out.data_ptr(), &out.strides()}, ia.ptr, ib.ptr, rtol, atol, equal_nan);
  return out;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return all_true(isclose(a, b, rtol, atol, equal_nan));
}

bool equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  return all_true(binary(BinaryOp::eq, a, b));
}

}  // namespace tb
