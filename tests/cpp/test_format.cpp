// Printing (format/): expected texts are torch 2.13's repr with "torch." -> "tensorbridge.".
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "tensorbridge/convert.h"
#include "tensorbridge/format/format.h"
#include "tensorbridge/ops/creation.h"

using namespace tb;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// A contiguous tensor of `dt` holding `vals` (converted like torch.tensor(vals, dtype=dt)).
Tensor make(const Shape& shape, const std::vector<double>& vals, DType dt = DType::Float32) {
  Tensor t = empty(shape, dt);
  REQUIRE(size_t(t.numel()) == vals.size());
  dispatch_dtype(dt, [&]<typename T>() {
    for (size_t i = 0; i < vals.size(); ++i) t.data<T>()[i] = convert<T>(vals[i]);
  });
  return t;
}

Tensor make_complex(const std::vector<std::complex<double>>& vals, DType dt = DType::Complex64) {
  Tensor t = empty({int64_t(vals.size())}, dt);
  dispatch_dtype(dt, [&]<typename T>() {
    for (size_t i = 0; i < vals.size(); ++i) t.data<T>()[i] = convert<T>(vals[i]);
  });
  return t;
}

Tensor iota(int64_t n, DType dt = DType::Int64) {
  return arange(Scalar(int64_t(0)), Scalar(n), Scalar(int64_t(1)), dt);
}

// Restores the default options when a test case ends.
struct OptionsGuard {
  PrintOptions saved = print_options();
  OptionsGuard() { print_options() = PrintOptions{}; }
  ~OptionsGuard() { print_options() = saved; }
};

}  // namespace

TEST_CASE("format: fixed, integral and scientific floats") {
  OptionsGuard g;
  CHECK(repr(make({2, 3}, {0.0050, 0.8963, -0.7895, 2.3930, 1.4334, 1.0084}, DType::Float64)) ==
        "tensor([[ 0.0050,  0.8963, -0.7895],\n        [ 2.3930,  1.4334,  1.0084]], "
        "dtype=tensorbridge.float64)");
  CHECK(repr(make({2}, {1.12345, 2.5})) == "tensor([1.1235, 2.5000])");
  CHECK(repr(make({2}, {999.99999, 1.5})) == "tensor([1000.0000,    1.5000])");
  CHECK(repr(make({2}, {-1., 10.})) == "tensor([-1., 10.])");
  CHECK(repr(make({2}, {1., 1000.})) == "tensor([   1., 1000.])");
  CHECK(repr(make({2}, {1., 1001.})) == "tensor([1.0000e+00, 1.0010e+03])");
  CHECK(repr(make({2}, {1e-4, 0.01})) == "tensor([1.0000e-04, 1.0000e-02])");
  CHECK(repr(make({2}, {1e-4, 0.01}, DType::Float64)) ==
        "tensor([0.0001, 0.0100], dtype=tensorbridge.float64)");
  CHECK(repr(make({1}, {1e8})) == "tensor([100000000.])");
  CHECK(repr(make({1}, {1e8 + 8})) == "tensor([1.0000e+08])");
  CHECK(repr(make({1}, {123456.7})) == "tensor([123456.7031])");
  CHECK(repr(make({1}, {0.00015})) == "tensor([0.0002])");
  CHECK(repr(make({1}, {0.00015}, DType::Float64)) ==
        "tensor([0.0001], dtype=tensorbridge.float64)");
  CHECK(repr(make({2}, {1e-300, -1e300}, DType::Float64)) ==
        "tensor([ 1.0000e-300, -1.0000e+300], dtype=tensorbridge.float64)");
}

TEST_CASE("format: zeros, negative zero, nan, inf") {
  OptionsGuard g;
  CHECK(repr(make({2}, {0., 0.})) == "tensor([0., 0.])");
  CHECK(repr(make({2}, {-0., 0.})) == "tensor([-0., 0.])");
  CHECK(repr(make({2}, {-0., 0.5})) == "tensor([-0.0000, 0.5000])");
  CHECK(repr(make({2}, {-0., 1e-5})) == "tensor([-0.0000e+00, 1.0000e-05])");
  CHECK(repr(make({2}, {kNan, 1.})) == "tensor([nan, 1.])");
  CHECK(repr(make({2}, {-kNan, 2.})) == "tensor([nan, 2.])");
  CHECK(repr(make({2}, {kNan, 1.5})) == "tensor([   nan, 1.5000])");
  CHECK(repr(make({4}, {kNan, -kInf, 1e-5, 1.})) ==
        "tensor([       nan,       -inf, 1.0000e-05, 1.0000e+00])");
  CHECK(repr(make({6}, {1.5, kNan, kInf, -kInf, 0., -0.})) ==
        "tensor([1.5000,    nan,    inf,   -inf, 0.0000, -0.0000])");
  CHECK(repr(make({3}, {kNan, kInf, -kInf})) == "tensor([nan, inf, -inf])");
}

TEST_CASE("format: half types, ints, bools, complex") {
  OptionsGuard g;
  CHECK(repr(make({2}, {0.1, 65504.}, DType::Float16)) ==
        "tensor([9.9976e-02, 6.5504e+04], dtype=tensorbridge.float16)");
  CHECK(repr(make({2}, {1.1, 2}, DType::BFloat16)) ==
        "tensor([1.1016, 2.0000], dtype=tensorbridge.bfloat16)");
  CHECK(repr(make({3}, {-128, 0, 127}, DType::Int8)) ==
        "tensor([-128,    0,  127], dtype=tensorbridge.int8)");
  CHECK(repr(make({2}, {1, 0}, DType::Bool)) == "tensor([ True, False])");
  Tensor big = empty({2}, DType::Int64);
  big.data<int64_t>()[0] = std::numeric_limits<int64_t>::min();
  big.data<int64_t>()[1] = 1;
  CHECK(repr(big) == "tensor([-9223372036854775808,                    1])");
  Tensor u = empty({1}, DType::UInt64);
  u.data<uint64_t>()[0] = std::numeric_limits<uint64_t>::max();
  CHECK(repr(u) == "tensor([18446744073709551615], dtype=tensorbridge.uint64)");
  CHECK(repr(make_complex({{1, 2}, {3, -10}})) == "tensor([1.+2.j, 3.-10.j])");
  CHECK(repr(make_complex({{1e-5, 1}})) == "tensor([1.0000e-05+1.j])");
  CHECK(repr(make_complex({{1, -0.0}})) == "tensor([1.-0.j])");
  CHECK(repr(make_complex({{1, kInf}}, DType::Complex128)) ==
        "tensor([1.+infj], dtype=tensorbridge.complex128)");
}

TEST_CASE("format: 0-d, empty, higher dims") {
  OptionsGuard g;
  CHECK(repr(make({}, {3.5})) == "tensor(3.5000)");
  CHECK(repr(make({}, {3}, DType::Int32)) == "tensor(3, dtype=tensorbridge.int32)");
  CHECK(repr(make({}, {1e10})) == "tensor(1.0000e+10)");
  Tensor c = empty({}, DType::Complex64);
  c.data<complex64>()[0] = complex64(-1.5f, -0.5f);
  CHECK(repr(c) == "tensor(-1.5000-0.5000j)");
  CHECK(repr(empty({0})) == "tensor([])");
  CHECK(repr(empty({0}, DType::Int64)) == "tensor([], dtype=tensorbridge.int64)");
  CHECK(repr(empty({0, 3})) == "tensor([], size=(0, 3))");
  CHECK(repr(empty({2, 0}, DType::Bool)) == "tensor([], size=(2, 0), dtype=tensorbridge.bool)");
  Tensor a = iota(8).as_strided({2, 2, 2}, {4, 2, 1}, 0);
  CHECK(repr(a) == "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])");
  Tensor t = iota(6).as_strided({3, 2}, {1, 3}, 0);  // transposed view
  CHECK(repr(t) == "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
  Tensor rev = iota(4).as_strided({4}, {-1}, 3);
  CHECK(repr(rev) == "tensor([3, 2, 1, 0])");
}

TEST_CASE("format: summarization and wrapping") {
  OptionsGuard g;
  CHECK(repr(iota(1001)) == "tensor([   0,    1,    2,  ...,  998,  999, 1000])");
  CHECK(repr(iota(1500).as_strided({500, 3}, {3, 1}, 0)) ==
        "tensor([[   0,    1,    2],\n        [   3,    4,    5],\n        [   6,    7,    8],\n"
        "        ...,\n        [1491, 1492, 1493],\n        [1494, 1495, 1496],\n"
        "        [1497, 1498, 1499]])");
  print_options().threshold = 5;
  CHECK(repr(iota(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])");
  CHECK(repr(iota(6)) == "tensor([0, 1, 2, 3, 4, 5])");
  print_options().edgeitems = 0;
  CHECK(repr(iota(10)) == "tensor([...], size=(10,))");
  CHECK(repr(iota(100).as_strided({10, 10}, {10, 1}, 0)) == "tensor([...], size=(10, 10))");
  print_options() = PrintOptions{};
  print_options().linewidth = 20;
  CHECK(repr(iota(30).as_strided({3, 10}, {10, 1}, 0)) ==
        "tensor([[ 0,  1,  2,\n          3,  4,  5,\n          6,  7,  8,\n          9],\n"
        "        [10, 11, 12,\n         13, 14, 15,\n         16, 17, 18,\n         19],\n"
        "        [20, 21, 22,\n         23, 24, 25,\n         26, 27, 28,\n         29]])");
}

TEST_CASE("format: suffixes and options") {
  OptionsGuard g;
  Tensor l = linspace(Scalar(0.0), Scalar(1.0), 9, DType::Float64);
  CHECK(repr(l) ==
        "tensor([0.0000, 0.1250, 0.2500, 0.3750, 0.5000, 0.6250, 0.7500, 0.8750, 1.0000],\n"
        "       dtype=tensorbridge.float64)");
  l.set_requires_grad(true);
  CHECK(repr(l) ==
        "tensor([0.0000, 0.1250, 0.2500, 0.3750, 0.5000, 0.6250, 0.7500, 0.8750, 1.0000],\n"
        "       dtype=tensorbridge.float64, requires_grad=True)");
  CHECK(repr(make({}, {6.0}), "SumBackward0") == "tensor(6., grad_fn=<SumBackward0>)");
  CHECK(repr(make({1}, {1.0}), {}, "MyT") == "MyT([1.])");
  print_options().precision = 0;
  CHECK(repr(make({3}, {0.5, 1.5, 2.5})) == "tensor([0, 2, 2])");
  print_options().sci_mode = true;
  CHECK(repr(make({2}, {1.5, 2.5})) == "tensor([2e+00, 2e+00])");
  CHECK(repr(make({2}, {0., 0.})) == "tensor([0., 0.])");
  print_options() = PrintOptions{};
  print_options().sci_mode = false;
  CHECK(repr(make({2}, {1e10, 1.5})) == "tensor([10000000000.0000,           1.5000])");
  apply_print_profile(print_options(), "short");
  CHECK(print_options().edgeitems == 2);
  CHECK(repr(iota(1001)) == "tensor([   0,    1,  ...,  999, 1000])");
  print_options().precision = -1;
  CHECK_THROWS_AS(repr(make({1}, {1.5})), ValueError);
  CHECK(repr(make({1}, {2})) == "tensor([2.])");  // int mode needs no precision
  std::ostringstream os;
  os << iota(3);
  CHECK(os.str() == "tensor([0, 1, 2])");
  CHECK(repr(Tensor()) == "[ Tensor (undefined) ]");
}

TEST_CASE("format: suffix wrapping measures dtype as torch spells it") {
  OptionsGuard g;
  Tensor t = make({2}, {1, 2}, DType::Int32);
  print_options().linewidth = 34;  // torch: "tensor([1, 2], dtype=torch.int32)" just fits
  CHECK(repr(t) == "tensor([1, 2], dtype=tensorbridge.int32)");
  print_options().linewidth = 33;
  CHECK(repr(t) == "tensor([1, 2],\n       dtype=tensorbridge.int32)");
}
