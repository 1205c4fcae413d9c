// Autograd from C++: recording, backward/grad, in-place checks, version errors, grad mode.
// Expected values are derivatives worked out by hand (the Python tests compare with torch).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tensorbridge/autograd/engine.h"
#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/node.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/ops/complex.h"

using namespace tb;

namespace {

Tensor vec(const std::vector<double>& v, bool requires_grad = true) {
  Tensor t = empty({int64_t(v.size())}, DType::Float64);
  for (size_t i = 0; i < v.size(); ++i) t.data<double>()[i] = v[i];
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

double at(const Tensor& t, int64_t i) { return scalar_at(t, i).to_double(); }

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("autograd: product rule through a recorded graph") {
  Tensor x = vec({1.0, 2.0, 3.0});
  Tensor y = vec({4.0, 5.0, 6.0});
  Tensor loss = sum(add(mul(x, y), exp(x)));
  REQUIRE(autograd::grad_fn(loss) != nullptr);
  CHECK(autograd::grad_fn(loss)->name() == "SumBackward0");
  autograd::backward({loss}, {}, false, false);
  const Tensor& gx = autograd::meta(x).grad;
  const Tensor& gy = autograd::meta(y).grad;
  for (int64_t i = 0; i < 3; ++i) {
    CHECK(at(gx, i) == doctest::Approx(at(y, i) + std::exp(at(x, i))));
    CHECK(at(gy, i) == doctest::Approx(at(x, i)));
  }
}

TEST_CASE("autograd: grad() with create_graph gives second derivatives") {
  Tensor x = vec({0.5, -1.0});
  Tensor y = sum(mul(mul(x, x), x));  // sum x^3
  auto g = autograd::grad({y}, {x}, {}, /*retain_graph=*/true, /*create_graph=*/true, false);
  CHECK(at(g[0], 0) == doctest::Approx(3 * 0.25));
  auto gg = autograd::grad({sum(g[0])}, {x}, {}, false, false, false);
  CHECK(at(gg[0], 0) == doctest::Approx(6 * 0.5));
  CHECK(at(gg[0], 1) == doctest::Approx(-6.0));
}

TEST_CASE("autograd: broadcasting is summed back and dtypes are restored") {
  Tensor a = vec({1.0, 2.0, 3.0});
  Tensor b = empty({2, 3}, DType::Float32);
  fill_(b, Scalar(2.0));
  b.set_requires_grad(true);
  autograd::backward({sum(mul(a, b))}, {}, false, false);
  const Tensor& ga = autograd::meta(a).grad;
  CHECK(ga.dtype() == DType::Float64);
  CHECK(ga.shape() == Shape{3});
  CHECK(at(ga, 0) == doctest::Approx(4.0));
  CHECK(autograd::meta(b).grad.dtype() == DType::Float32);
}

TEST_CASE("autograd: torch's errors") {
  Tensor x = vec({1.0, 2.0});
  CHECK(error_of([&] { add_(x, Operand(Scalar(1.0))); }) ==
        "a leaf Variable that requires grad is being used in an in-place operation.");
  Tensor y = exp(mul(x, Scalar(1.0)));
  binary_(BinaryOp::mul, y, Operand(Scalar(2.0)));
  CHECK(error_of([&] { autograd::backward({sum(y)}, {}, false, false); })
            .starts_with("one of the variables needed for gradient computation has been modified by an "
                         "inplace operation: [tensorbridge.DoubleTensor [2]], which is output 0 of Exp, is at "
                         "version 1; expected version 0 instead."));
  Tensor z = sum(mul(x, x));
  autograd::backward({z}, {}, false, false);
  CHECK(error_of([&] { autograd::backward({z}, {}, false, false); })
            .starts_with("Trying to backward through the graph a second time"));
  CHECK(error_of([&] { autograd::backward({mul(x, Scalar(2.0))}, {}, false, false); }) ==
        "grad can be implicitly created only for scalar outputs");
}

TEST_CASE("autograd: nothing is recorded without grad mode or requires_grad") {
  Tensor x = vec({1.0, 2.0});
  {
    GradModeGuard off(false);
    CHECK(autograd::grad_fn(exp(x)) == nullptr);
    add_(x, Operand(Scalar(1.0)));  // in-place on a leaf is fine without grad mode
  }
  CHECK(x.version() == 1);
  CHECK(autograd::grad_fn(exp(vec({1.0}, false))) == nullptr);
}

TEST_CASE("autograd: inference tensors") {
  Tensor n = vec({1, 2}, false);
  Tensor a, v;
  {
    InferenceMode::set_enabled(true);
    GradModeGuard off(false);
    a = mul(vec({1, 2}, false), Operand(Scalar(2.0)));
    v = n.detach();
    add_(a, Operand(Scalar(1.0)));  // allowed inside
    InferenceMode::set_enabled(false);
  }
  CHECK(a.is_inference());
  CHECK(!v.is_inference());
  CHECK(!n.is_inference());
  CHECK(a.detach().is_inference());
  CHECK(at(a, 1) == 5.0);
  CHECK(error_of([&] { add_(a, Operand(Scalar(1.0))); }).rfind("Inplace update to inference tensor outside InferenceMode", 0) == 0);
  CHECK(at(a, 1) == 5.0);  // refused before writing
  CHECK(error_of([&] { a.user_version(); }) == "Inference tensors do not track version counter.");
  CHECK(error_of([&] { a.set_requires_grad(true); }) ==
        "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
  Tensor w = vec({1, 1});
  CHECK(error_of([&] { mul(w, Operand(a)); }).rfind("Inference tensors cannot be saved for backward.", 0) == 0);
  add_(v, Operand(Scalar(1.0)));  // a detach() of a normal tensor made in inference mode is normal
  CHECK(at(n, 0) == 2.0);
}

TEST_CASE("autograd: complex tensors (conjugate Wirtinger gradients)") {
  using C = std::complex<double>;
  Tensor z = empty({2}, DType::Complex128);
  z.data<C>()[0] = C(1.0, 2.0);
  z.data<C>()[1] = C(-0.5, 0.25);
  z.set_requires_grad(true);
  // L = sum |z|^2 = sum Re(z * conj(z)): dL/dRe + i dL/dIm = 2z
  autograd::backward({sum(real(mul(z, conj(z))))}, {}, false, false);
  const Tensor& gz = autograd::meta(z).grad;
  REQUIRE(gz.dtype() == DType::Complex128);
  CHECK(gz.data<C>()[0] == C(2.0, 4.0));
  CHECK(gz.data<C>()[1] == C(-1.0, 0.5));
  // a real input meeting a complex value keeps the real part: L = sum Re((r * c) * w) with
  // w = 1 - 1j gives dL/dr = Re(c * w) = Re((2 + 3j)(1 - 1j)) = 5
  Tensor r = vec({1.0, -2.0});
  Tensor w = full({2}, Scalar(C(1.0, -1.0)), DType::Complex128);
  autograd::backward({sum(real(mul(mul(r, Scalar(C(2.0, 3.0))), w)))}, {}, false, false);
  const Tensor& gr = autograd::meta(r).grad;
  REQUIRE(gr.dtype() == DType::Float64);
  CHECK(at(gr, 0) == doctest::Approx(5.0));
  CHECK(at(gr, 1) == doctest::Approx(5.0));
  // no implicit gradient for a complex output; ops without a complex rule refuse
  CHECK(error_of([&] { autograd::backward({sum(z)}, {}, false, false); }) ==
        "grad can be implicitly created only for real scalar outputs but got tensorbridge.complex128");
  CHECK_THROWS_AS(binary(BinaryOp::pow, Operand(z), Operand(z)), NotImplementedError);  // PowBackward1
}
