// Element-wise ops, promotion and reductions in the C++ core (doctest; main is in test_core.cpp).
#include <doctest/doctest.h>

#include <cmath>

#include "tensorbridge/ops.h"

using namespace tb;

namespace {
Tensor vec(std::initializer_list<double> v, DType dt) {
  Tensor t = empty({int64_t(v.size())}, dt);
  int64_t i = 0;
  for (double x : v) {
    dispatch_dtype(dt, [&]<typename T>() { t.data<T>()[i] = Scalar(x).to<T>(); });
    ++i;
  }
  return t;
}
double at(const Tensor& t, int64_t i) { return scalar_at(t, i).to_double(); }
}  // namespace

TEST_CASE("result_type follows torch's category rules") {
  Tensor i32 = empty({2}, DType::Int32), f64_0d = empty({}, DType::Float64), f16 = empty({2}, DType::Float16);
  CHECK(result_type(i32, Scalar(2.5)) == DType::Float32);      // wrapped float -> default float
  CHECK(result_type(i32, Scalar(int64_t(7))) == DType::Int32);  // within category: no upgrade
  CHECK(result_type(i32, f64_0d) == DType::Float64);            // 0-d of a higher category wins
  CHECK(result_type(f16, f64_0d) == DType::Float16);            // ... but not within its category
  CHECK(result_type(empty({2}, DType::Bool), Scalar(true)) == DType::Bool);
  CHECK(can_cast(DType::Float32, DType::Int64) == false);
  CHECK(can_cast(DType::Int64, DType::Float16) == true);
  CHECK(numpy_promote_types(DType::Int64, DType::Float32) == DType::Float64);
  CHECK(numpy_promote_types(DType::UInt8, DType::Int8) == DType::Int16);
  CHECK(numpy_promote_types(DType::UInt64, DType::Int64) == DType::Float64);
}

TEST_CASE("binary ops broadcast, promote and wrap") {
  Tensor a = vec({1, 2, 3}, DType::Int64);
  Tensor b = vec({2}, DType::Float32);
  Tensor r = binary(BinaryOp::mul, a, b);
  CHECK(r.dtype() == DType::Float32);
  CHECK(at(r, 2) == 6.0);
  Tensor d = binary(BinaryOp::div, a, Scalar(int64_t(2)));
  CHECK(d.dtype() == DType::Float32);
  CHECK(at(d, 0) == 0.5);
  Tensor u = binary(BinaryOp::add, vec({1}, DType::UInt8), Scalar(int64_t(300)));
  CHECK(u.dtype() == DType::UInt8);
  CHECK(at(u, 0) == 45.0);  // 1 + (300 mod 256)
  Tensor fl = binary(BinaryOp::div_floor, vec({-7, 7}, DType::Int32), Scalar(int64_t(2)));
  CHECK(at(fl, 0) == -4.0);
  CHECK(at(fl, 1) == 3.0);
  CHECK_THROWS_AS(binary(BinaryOp::div_floor, a, Scalar(int64_t(0))), RuntimeError);
  CHECK_THROWS_AS(binary(BinaryOp::sub, vec({1}, DType::Bool), vec({1}, DType::Bool)), RuntimeError);
  CHECK_THROWS_AS(binary(BinaryOp::bitwise_and, b, b), NotImplementedError);
}

TEST_CASE("in-place ops refuse unsafe casts and bump the version") {
  Tensor a = vec({1, 2}, DType::Int64);
  CHECK_THROWS_WITH_AS(binary_(BinaryOp::mul, a, Scalar(1.5)),
                       "result type Float can't be cast to the desired output type Long", RuntimeError);
  const uint32_t v = a.version();
  add_(a, Scalar(int64_t(1)), Scalar(int64_t(2)));
  CHECK(at(a, 1) == 4.0);
  CHECK(a.version() > v);
}

TEST_CASE("unary ops: float promotion, NaN handling") {
  Tensor e = unary(UnaryOp::exp, vec({0, 1}, DType::Int32));
  CHECK(e.dtype() == DType::Float32);
  CHECK(at(e, 0) == 1.0);
  Tensor n = vec({NAN, 1}, DType::Float64);
  CHECK(scalar_at(unary(UnaryOp::isnan, n), 0).to_bool());
  CHECK(std::isnan(at(binary(BinaryOp::maximum, n, vec({5, 0}, DType::Float64)), 0)));
  CHECK(at(round(vec({1.2345}, DType::Float64), 2), 0) == doctest::Approx(1.23));
}

TEST_CASE("reductions: dtypes, dims, keepdim, strided input") {
  Tensor m = empty({2, 3}, DType::Float32);
  for (int i = 0; i < 6; ++i) m.data<float>()[i] = float(i);
  Tensor s = sum(m, DimVector{0});
  CHECK(s.shape() == Shape{3});
  CHECK(at(s, 2) == 7.0);
  Tensor t = m.as_strided({3, 2}, {1, 3}, 0);  // transpose
  CHECK(at(sum(t, DimVector{1}, true), 1) == 5.0);
  CHECK(sum(vec({1, 2}, DType::Int8)).dtype() == DType::Int64);
  CHECK(at(mean(m), 0) == 2.5);
  auto [v, i] = max_dim(m, 1);
  CHECK(at(v, 1) == 5.0);
  CHECK(at(i, 1) == 2.0);
  CHECK(at(argmax(m), 0) == 5.0);
  CHECK(at(var(vec({1, 2, 3, 4}, DType::Float64)), 0) == doctest::Approx(5.0 / 3.0));
  CHECK(at(cumsum(vec({1, 2, 3}, DType::Int32), 0), 2) == 6.0);
  CHECK_THROWS_AS(max(empty({0}, DType::Float32)), RuntimeError);
  CHECK_THROWS_AS(mean(vec({1}, DType::Int64)), RuntimeError);
}
