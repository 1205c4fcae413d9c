// Backward rules of the element-wise ops (derivatives as torch defines them, written with our ops
// so that they are themselves differentiable: create_graph=True gives second derivatives).
#include <cmath>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/ops/complex.h"

namespace tb::autograd {

namespace {

constexpr size_t kNone = size_t(-1);
const double kLn2 = std::log(2.0);
const double kLn10 = std::log(10.0);

Operand num(double v) { return Operand(Scalar(v)); }
Tensor square(const Tensor& x) { return tb::mul(x, x); }
Tensor zeros_like(const Tensor& g) { return zeros(g.shape(), g.dtype()); }

// ---- unary ------------------------------------------------------------------------------------
struct UnaryRule {
  const char* name;
  bool uses_input;   // the formula reads x
  bool uses_output;  // the formula reads y = f(x)
};

UnaryRule unary_rule(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: return {"NegBackward0", false, false};
    case UnaryOp::abs: return {"AbsBackward0", true, false};
    case UnaryOp::sign: return {"SignBackward0", false, false};
    case UnaryOp::floor: return {"FloorBackward0", false, false};
    case UnaryOp::ceil: return {"CeilBackward0", false, false};
    case UnaryOp::round: return {"RoundBackward0", false, false};
    case UnaryOp::trunc: return {"TruncBackward0", false, false};
    case UnaryOp::relu: return {"ReluBackward0", false, true};
    case UnaryOp::exp: return {"ExpBackward0", false, true};
    case UnaryOp::exp2: return {"Exp2Backward0", false, true};
    case UnaryOp::expm1: return {"Expm1Backward0", false, true};
    case UnaryOp::log: return {"LogBackward0", true, false};
    case UnaryOp::log2: return {"Log2Backward0", true, false};
    case UnaryOp::log10: return {"Log10Backward0", true, false};
    case UnaryOp::log1p: return {"Log1PBackward0", true, false};
    case UnaryOp::sqrt: return {"SqrtBackward0", false, true};
    case UnaryOp::rsqrt: return {"RsqrtBackward0", false, true};
    case UnaryOp::sin: return {"SinBackward0", true, false};
    case UnaryOp::cos: return {"CosBackward0", true, false};
    case UnaryOp::tan: return {"TanBackward0", false, true};
    case UnaryOp::asin: return {"AsinBackward0", true, false};
    case UnaryOp::acos: return {"AcosBackward0", true, false};
    case UnaryOp::atan: return {"AtanBackward0", true, false};
    case UnaryOp::sinh: return {"SinhBackward0", true, false};
    case UnaryOp::cosh: return {"CoshBackward0", true, false};
    case UnaryOp::tanh: return {"TanhBackward0", false, true};
    case UnaryOp::sigmoid: return {"SigmoidBackward0", false, true};
    case UnaryOp::erf: return {"ErfBackward0", true, false};
    case UnaryOp::reciprocal: return {"ReciprocalBackward0", false, true};
    default: return {nullptr, false, false};  // bool/integer results: not differentiable
  }
}

// d/dx f(x) * g, from x and/or y = f(x).
Tensor unary_grad(UnaryOp op, const Tensor& g, const Tensor& x, const Tensor& y) {
  switch (op) {
    case UnaryOp::neg: return tb::neg(g);
    case UnaryOp::abs: return tb::mul(g, tb::sign(x));
    case UnaryOp::sign:
    case UnaryOp::floor:
    case UnaryOp::ceil:
    case UnaryOp::round:
    case UnaryOp::trunc: return zeros_like(g);
    case UnaryOp::relu: return tb::where(tb::gt(y, num(0)), g, num(0));
    case UnaryOp::exp: return tb::mul(g, y);
    case UnaryOp::exp2: return tb::mul(tb::mul(g, y), num(kLn2));
    case UnaryOp::expm1: return tb::mul(g, tb::add(y, num(1)));
    case UnaryOp::log: return tb::div(g, x);
    case UnaryOp::log2: return tb::div(g, tb::mul(x, num(kLn2)));
    case UnaryOp::log10: return tb::div(g, tb::mul(x, num(kLn10)));
    case UnaryOp::log1p: return tb::div(g, tb::add(x, num(1)));
    case UnaryOp::sqrt: return tb::div(g, tb::mul(y, num(2)));
    case UnaryOp::rsqrt: return tb::mul(tb::mul(g, tb::mul(y, square(y))), num(-0.5));
    case UnaryOp::sin: return tb::mul(g, tb::cos(x));
    case UnaryOp::cos: return tb::mul(g, tb::neg(tb::sin(x)));
    case UnaryOp::tan: return tb::mul(g, tb::add(square(y), num(1)));
    case UnaryOp::asin: return tb::mul(g, tb::rsqrt(tb::sub(num(1), square(x))));
    case UnaryOp::acos: return tb::mul(tb::neg(g), tb::rsqrt(tb::sub(num(1), square(x))));
    case UnaryOp::atan: return tb::div(g, tb::add(square(x), num(1)));
    case UnaryOp::sinh: return tb::mul(g, tb::cosh(x));
    case UnaryOp::cosh: return tb::mul(g, tb::sinh(x));
    case UnaryOp::tanh: return tb::mul(g, tb::sub(num(1), square(y)));
    case UnaryOp::sigmoid: return tb::mul(g, tb::mul(y, tb::sub(num(1), y)));
    case UnaryOp::erf:
      return tb::mul(tb::mul(g, tb::exp(tb::neg(square(x)))), num(2.0 / std::sqrt(M_PI)));
    case UnaryOp::reciprocal: return tb::mul(tb::neg(g), square(y));
    default: throw RuntimeError("internal: no derivative for " + std::string(op_name(op)));
  }
}

// Complex tensors (torch's convention, docs/autograd.md): the gradient of a real loss L is the
// conjugate Wirtinger derivative, so for a holomorphic f the incoming g becomes g * conj(f'(x)).
// Every real formula above is linear in g and holomorphic in x, hence
// g * conj(f'(x)) = conj(conj(g) * f'(x)) = conj(formula(conj(g))). abs is not holomorphic:
// its gradient is g * sgn(x) (sgn(x) = x / |x|, 0 at 0).
Tensor sgn(const Tensor& x) {
  Tensor m = tb::abs(x);
  return tb::where(tb::eq(m, num(0)), num(0), tb::div(x, m));
}

Tensor unary_grad_any(UnaryOp op, const Tensor& g, const Tensor& x, const Tensor& y) {
  if (op == UnaryOp::abs && x.defined() && is_complex(x.dtype())) return tb::mul(g, sgn(x));
  if (!is_complex(g.dtype())) return unary_grad(op, g, x, y);
  return tb::conj(unary_grad(op, tb::conj(g), x, y));
}

std::shared_ptr<FunctionNode> record_unary(UnaryOp op, const Tensor& x, const Tensor& y) {
  const UnaryRule rule = unary_rule(op);
  if (!rule.name) return nullptr;
  auto n = record(rule.name, {x}, {y});
  if (!n) return n;
  const size_t xi = rule.uses_input ? n->save(x) : kNone;
  const size_t yi = rule.uses_output ? n->save(y, true) : kNone;
  n->set_backward([op, xi, yi](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = xi == kNone ? Tensor() : self.saved(xi);
    Tensor y = yi == kNone ? Tensor() : self.saved(yi);
    return {unary_grad_any(op, g[0], x, y)};
  });
  return n;
}

// ---- binary -----------------------------------------------------------------------------------
const char* binary_name(BinaryOp op, const Operand& a, const Operand& b) {
  const bool scalar_b = b.is_scalar;
  switch (op) {
    case BinaryOp::add: return "AddBackward0";
    case BinaryOp::sub: return a.is_scalar ? "RsubBackward1" : "SubBackward0";
    case BinaryOp::mul: return "MulBackward0";
    case BinaryOp::div: return "DivBackward0";
    case BinaryOp::div_trunc:
    case BinaryOp::div_floor: return "DivBackward2";
    case BinaryOp::remainder: return scalar_b ? "RemainderBackward0" : "RemainderBackward1";
    case BinaryOp::fmod: return scalar_b ? "FmodBackward0" : "FmodBackward1";
    case BinaryOp::pow: return scalar_b ? "PowBackward0" : (a.is_scalar ? "PowBackward2" : "PowBackward1");
    case BinaryOp::atan2: return "Atan2Backward0";
    case BinaryOp::minimum: return "MinimumBackward0";
    case BinaryOp::maximum: return "MaximumBackward0";
    default: return nullptr;  // comparisons, logical and bitwise ops: not differentiable
  }
}

// Whether the rule reads the value of a (resp. b): in-place ops must keep a copy of self then.
bool reads_a(BinaryOp op) {
  return op == BinaryOp::mul || op == BinaryOp::div || op == BinaryOp::remainder || op == BinaryOp::fmod ||
         op == BinaryOp::pow || op == BinaryOp::atan2 || op == BinaryOp::minimum || op == BinaryOp::maximum;
}

// A stored operand: a saved tensor index or a scalar.
struct Arg {
  size_t saved = kNone;
  Scalar scalar;
  bool is_scalar = false;
};

Arg keep(FunctionNode& n, const Operand& o, bool needed) {
  Arg a;
  if (o.is_scalar) {
    a.scalar = o.scalar;
    a.is_scalar = true;
  } else if (needed) {
    a.saved = n.save(o.tensor);
  }
  return a;
}

Operand get(FunctionNode& n, const Arg& a) {
  if (a.is_scalar) return Operand(a.scalar);
  return Operand(n.saved(a.saved));
}

Tensor as_tensor(const Operand& o, DType dt) {
  return o.is_scalar ? full({}, o.scalar, dt) : o.tensor;
}

// Gradients (for a, for b) of op at (a, b) with result y.
std::pair<Tensor, Tensor> binary_grad(BinaryOp op, const Tensor& g, const Operand& a, const Operand& b,
                                      const Tensor& y, const Scalar& alpha, bool need_a, bool need_b) {
  Tensor ga, gb;
  switch (op) {
    case BinaryOp::add:
    case BinaryOp::sub: {
      ga = g;
      if (need_b) {
        Tensor s = tb::mul(g, Operand(alpha));
        gb = op == BinaryOp::sub ? tb::neg(s) : s;
      }
      break;
    }
    case BinaryOp::mul:
      if (need_a) ga = tb::mul(g, b);
      if (need_b) gb = tb::mul(g, a);
      break;
    case BinaryOp::div:
      if (need_a) ga = tb::div(g, b);
      if (need_b) gb = tb::mul(tb::neg(g), tb::div(tb::div(a, b), b));
      break;
    case BinaryOp::div_trunc:
    case BinaryOp::div_floor:
      if (need_a) ga = zeros_like(g);
      if (need_b) gb = zeros_like(g);
      break;
    case BinaryOp::remainder:
    case BinaryOp::fmod:
      if (need_a) ga = g;
      if (need_b)
        gb = tb::mul(tb::neg(g), tb::binary(op == BinaryOp::fmod ? BinaryOp::div_trunc : BinaryOp::div_floor, a, b));
      break;
    case BinaryOp::pow: {
      if (need_a) {
        // d/da a^b = b * a^(b-1), and 0 where b == 0 (torch)
        if (b.is_scalar && b.scalar.to_double() == 0 && !b.scalar.is_complex()) {
          ga = zeros_like(g);
        } else {
          // a number exponent stays a number (pow(a, b - 1) is PowBackward0 again, as in torch)
          const Operand bm1 = !b.is_scalar ? Operand(tb::sub(b, num(1)))
                              : b.scalar.is_complex()
                                  ? Operand(Scalar(b.scalar.to_complex() - std::complex<double>(1.0, 0.0)))
                                  : Operand(Scalar(b.scalar.to_double() - 1.0));
          Tensor t = tb::mul(tb::mul(g, b), tb::pow(a, bm1));
          ga = b.is_scalar ? t : tb::where(tb::eq(b.tensor, num(0)), num(0), t);
        }
      }
      if (need_b) {
        // d/db a^b = a^b * log(a), and 0 where a == 0 and b >= 0 (torch)
        Tensor t = tb::mul(tb::mul(g, y), tb::log(as_tensor(a, y.dtype())));
        Tensor cond = tb::logical_and(tb::eq(as_tensor(a, y.dtype()), num(0)), tb::ge(as_tensor(b, y.dtype()), num(0)));
        gb = tb::where(cond, num(0), t);
      }
      break;
    }
    case BinaryOp::atan2: {
      Tensor den = tb::add(square(as_tensor(a, y.dtype())), square(as_tensor(b, y.dtype())));
      if (need_a) ga = tb::div(tb::mul(g, b), den);
      if (need_b) gb = tb::div(tb::mul(tb::neg(g), a), den);
      break;
    }
    case BinaryOp::minimum:
    case BinaryOp::maximum: {
      // ties share the gradient; the losing side gets 0 (nan comparisons keep it)
      Tensor ta = as_tensor(a, y.dtype()), tb_ = as_tensor(b, y.dtype());
      Tensor half = tb::where(tb::eq(ta, tb_), tb::div(g, num(2)), g);
      const bool mx = op == BinaryOp::maximum;
      if (need_a) ga = tb::where(mx ? tb::lt(ta, tb_) : tb::gt(ta, tb_), num(0), half);
      if (need_b) gb = tb::where(mx ? tb::gt(ta, tb_) : tb::lt(ta, tb_), num(0), half);
      break;
    }
    default: throw RuntimeError("internal: no derivative for " + std::string(op_name(op)));
  }
  return {ga, gb};
}

// Records op(a, b) = y. `a` may stand for an in-place op's self before the op.
std::shared_ptr<FunctionNode> record_binary(BinaryOp op, const Operand& a, const Operand& b,
                                            const Tensor& y, const Scalar& alpha) {
  const char* name = binary_name(op, a, b);
  if (!name) return nullptr;
  const Tensor ta = a.is_scalar ? Tensor() : a.tensor;
  const Tensor tb_ = b.is_scalar ? Tensor() : b.tensor;
  auto n = record(name, {ta, tb_}, {y});
  if (!n) return n;
  const bool need_a = n->needs_input_grad(0), need_b = n->needs_input_grad(1);
  // which operand values the requested gradients read
  const bool lin = op == BinaryOp::add || op == BinaryOp::sub;
  const bool keep_a = !lin && (need_b || op == BinaryOp::pow || op == BinaryOp::atan2 ||
                               op == BinaryOp::minimum || op == BinaryOp::maximum);
  const bool keep_b = !lin && (need_a || op == BinaryOp::pow || op == BinaryOp::atan2 ||
                               op == BinaryOp::minimum || op == BinaryOp::maximum ||
                               op == BinaryOp::remainder || op == BinaryOp::fmod || op == BinaryOp::div);
  const Arg sa = keep(*n, a, keep_a), sb = keep(*n, b, keep_b);
  const size_t yi = op == BinaryOp::pow && need_b ? n->save(y, true) : kNone;
  n->set_backward([op, sa, sb, yi, alpha](FunctionNode& self, TensorList& g) -> TensorList {
    const bool need_a = self.needs_input_grad(0), need_b = self.needs_input_grad(1);
    const Operand a = sa.is_scalar || sa.saved != kNone ? get(self, sa) : Operand(Scalar(0.0));
    const Operand b = sb.is_scalar || sb.saved != kNone ? get(self, sb) : Operand(Scalar(0.0));
    const Tensor y = yi == kNone ? g[0] : self.saved(yi);
    // complex: conj(formula(conj(g))), as for the unary ops (holomorphic in a and b); a real
    // input's complex gradient is cut to its real part by the engine
    const bool cpx = is_complex(g[0].dtype());
    auto [ga, gb] = binary_grad(op, cpx ? tb::conj(g[0]) : g[0], a, b, y, alpha, need_a, need_b);
    if (cpx) {
      if (ga.defined()) ga = tb::conj(ga);
      if (gb.defined()) gb = tb::conj(gb);
    }
    return {need_a ? ga : Tensor(), need_b ? gb : Tensor()};
  });
  return n;
}

}  // namespace

Tensor unary(UnaryOp op, const Tensor& x) {
  Tensor y = without_grad([&] { return tb::unary(op, x); });
  record_unary(op, x, y);
  return y;
}

void unary_(UnaryOp op, const Tensor& x) {
  check_inplace(x);
  const UnaryRule rule = unary_rule(op);
  Tensor old = before_inplace(x, rule.uses_input);
  without_grad([&] { tb::unary_(op, x); });
  finish_inplace(x, record_unary(op, old, x));
}

Tensor binary(BinaryOp op, const Operand& a, const Operand& b, const Scalar& alpha) {
  if (op == BinaryOp::div && a.is_scalar && !b.is_scalar) {
    // torch computes number / tensor as reciprocal(tensor) * number (two nodes)
    return autograd::binary(BinaryOp::mul, Operand(autograd::unary(UnaryOp::reciprocal, b.tensor)), a);
  }
  const bool is_alpha = op == BinaryOp::add || op == BinaryOp::sub;
  Tensor y = without_grad([&] {
    if (op == BinaryOp::add) return tb::add(a, b, alpha);
    if (op == BinaryOp::sub) return tb::sub(a, b, alpha);
    return tb::binary(op, a, b);
  });
  record_binary(op, a, b, y, is_alpha ? alpha : Scalar(int64_t(1)));
  return y;
}

void binary_(BinaryOp op, const Tensor& self, const Operand& b, const Scalar& alpha) {
  check_inplace(self);
  const bool needs_value = reads_a(op) && (needs_grad_op(b) || op == BinaryOp::pow ||
                                            op == BinaryOp::atan2 || op == BinaryOp::minimum ||
                                            op == BinaryOp::maximum);
  Tensor old = before_inplace(self, needs_value);
  without_grad([&] {
    if (op == BinaryOp::add) tb::add_(self, b, alpha);
    else if (op == BinaryOp::sub) tb::sub_(self, b, alpha);
    else tb::binary_(op, self, b);
  });
  finish_inplace(self, record_binary(op, Operand(old), b, self, alpha));
}


// ---- round(decimals), clamp, where ------------------------------------------------------------

Tensor round(const Tensor& x, int64_t decimals) {
  Tensor y = without_grad([&] { return tb::round(x, decimals); });
  if (auto n = record("RoundBackward1", {x}, {y}))
    n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {zeros_like(g[0])}; });
  return y;
}

void round_(const Tensor& x, int64_t decimals) {
  check_inplace(x);
  Tensor old = before_inplace(x, false);
  without_grad([&] { tb::round_(x, decimals); });
  auto n = record("RoundBackward1", {old}, {x});
  if (n) n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {zeros_like(g[0])}; });
  finish_inplace(x, n);
}

namespace {
// The gradients of clamp(x, min, max) for x, min and max (torch's clamp_backward rules).
std::shared_ptr<FunctionNode> record_clamp(const Tensor& x, const std::optional<Operand>& min,
                                           const std::optional<Operand>& max, const Tensor& y) {
  const bool tmin = min && !min->is_scalar, tmax = max && !max->is_scalar;
  const char* name = (tmin || tmax) ? "ClampBackward0" : "ClampBackward1";
  auto n = record(name, {x, tmin ? min->tensor : Tensor(), tmax ? max->tensor : Tensor()}, {y});
  if (!n) return n;
  const size_t xi = n->save(x);
  std::optional<Arg> lo, hi;
  if (min) lo = keep(*n, *min, true);
  if (max) hi = keep(*n, *max, true);
  n->set_backward([xi, lo, hi](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi);
    std::optional<Operand> mn, mx;
    if (lo) mn = get(self, *lo);
    if (hi) mx = get(self, *hi);
    Tensor in;  // x inside [min, max]
    if (mn) in = tb::ge(x, *mn);
    if (mx) in = in.defined() ? tb::logical_and(in, tb::le(x, *mx)) : tb::le(x, *mx);
    TensorList r(3);
    if (self.needs_input_grad(0)) r[0] = tb::where(in, g[0], num(0));
    if (self.needs_input_grad(1)) {
      Tensor below = tb::lt(x, *mn);
      if (mx) below = tb::logical_and(below, tb::le(as_tensor(*mn, x.dtype()), *mx));
      r[1] = tb::where(below, g[0], num(0));
    }
    if (self.needs_input_grad(2)) {
      Tensor above = tb::gt(x, *mx);
      if (mn) above = tb::logical_or(above, tb::gt(as_tensor(*mn, x.dtype()), *mx));
      r[2] = tb::where(above, g[0], num(0));
    }
    return r;
  });
  return n;
}
}  // namespace

Tensor clamp(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  Tensor y = without_grad([&] { return tb::clamp(x, min, max); });
  record_clamp(x, min, max, y);
  return y;
}

void clamp_(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max) {
  check_inplace(x);
  Tensor old = before_inplace(x, true);
  without_grad([&] { tb::clamp_(x, min, max); });
  finish_inplace(x, record_clamp(old, min, max, x));
}

Tensor where(const Tensor& cond, const Operand& a, const Operand& b) {
  Tensor y = without_grad([&] { return tb::where(cond, a, b); });
  auto n = record("WhereBackward0", {a.is_scalar ? Tensor() : a.tensor, b.is_scalar ? Tensor() : b.tensor}, {y});
  if (!n) return y;
  const size_t ci = n->save(cond);
  n->set_backward([ci](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor c = self.saved(ci);
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::where(c, g[0], num(0));
    if (self.needs_input_grad(1)) r[1] = tb::where(c, num(0), g[0]);
    return r;
  });
  return y;
}

// ---- copies and fills -------------------------------------------------------------------------

void copy_(const Tensor& dst, const Tensor& src) {
  check_inplace(dst);
  Tensor old = before_inplace(dst, false);
  without_grad([&] { tb::copy_(dst, src); });
  auto n = record("tensorbridge::autograd::CopyBackwards", {old, src}, {dst});
  if (n)
    n->set_backward([](FunctionNode& self, TensorList& g) -> TensorList {
      return {self.needs_input_grad(0) ? zeros_like(g[0]) : Tensor(), self.needs_input_grad(1) ? g[0] : Tensor()};
    });
  finish_inplace(dst, n);
}

namespace {
void record_fill(const char* name, const Tensor& t, const Tensor& old) {
  auto n = record(name, {old}, {t});
  if (n) n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {zeros_like(g[0])}; });
  finish_inplace(t, n);
}
}  // namespace

void fill_(const Tensor& t, const Scalar& v) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::fill_(t, v); });
  record_fill("FillBackward2", t, old);
}

void zero_(const Tensor& t) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::fill_(t, Scalar(int64_t(0))); });
  record_fill("ZeroBackward0", t, old);
}

Tensor clone(const Tensor& t) {
  Tensor y = without_grad([&] { return tb::clone(t); });
  if (auto n = record("CloneBackward0", {t}, {y}))
    n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {g[0]}; });
  return y;
}

Tensor to_dtype(const Tensor& t, DType dtype) {
  Tensor y = without_grad([&] { return tb::to_dtype(t, dtype, true); });
  if (auto n = record("ToCopyBackward0", {t}, {y}))
    n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {g[0]}; });  // engine casts back
  return y;
}

}  // namespace tb::autograd
