#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cmath>

#include "tensorbridge/convert.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/tensor.h"

using namespace tb;

TEST_CASE("dtype table") {
  CHECK(itemsize(DType::Float64) == 8);
  CHECK(itemsize(DType::BFloat16) == 2);
  CHECK(itemsize(DType::Complex128) == 16);
  CHECK(dtype_name(DType::UInt16) == "uint16");
  CHECK(dtype_from_name("complex64") == DType::Complex64);
  CHECK_THROWS_AS(dtype_from_name("float128"), TypeError);
  CHECK(is_signed(DType::Float16));
  CHECK_FALSE(is_signed(DType::UInt8));
  CHECK(promote_types(DType::UInt8, DType::Int8) == DType::Int16);
  CHECK(promote_types(DType::BFloat16, DType::Float16) == DType::Float32);
  CHECK(promote_types(DType::Float64, DType::Complex64) == DType::Complex128);
  int n = 0;
  dispatch_dtype(DType::Int32, [&]<typename T>() { n = sizeof(T); });
  CHECK(n == 4);
}

TEST_CASE("half and bfloat16 round to nearest even") {
  CHECK(float(Half(1.0f)) == 1.0f);
  CHECK(Half(65504.0f).bits == 0x7bff);
  CHECK(Half(65520.0f).bits == 0x7c00);  // tie rounds to even = inf
  CHECK(Half(1e-8f).bits == 0);
  CHECK(Half(5.960464477539063e-08f).bits == 1);  // smallest subnormal
  CHECK(float(Half::from_bits(0x3555)) == doctest::Approx(0.333251953125));
  CHECK(Half(0.1f).bits == 0x2e66);
  CHECK(BFloat16(1.1f).bits == 0x3f8d);
  CHECK(float(BFloat16(1.1f)) == 1.1015625f);
  CHECK(std::isnan(float(Half(NAN))));
  CHECK(std::isinf(float(BFloat16(INFINITY))));
}

TEST_CASE("shape helpers") {
  CHECK(contiguous_strides({2, 3, 4}) == Strides{12, 4, 1});
  CHECK(is_contiguous({2, 3}, {3, 1}));
  CHECK_FALSE(is_contiguous({2, 3}, {1, 2}));
  CHECK(is_contiguous({1, 3}, {99, 1}));
  CHECK(broadcast_shapes({3, 1}, {4}) == Shape{3, 4});
  CHECK_THROWS_AS(broadcast_shapes({3}, {4}), RuntimeError);
  CHECK(wrap_dim(-1, 3) == 2);
  CHECK_THROWS_AS(wrap_dim(3, 3), IndexError);
  DimVector big;
  for (int i = 0; i < 20; ++i) big.push_back(i);
  DimVector copy = big;
  CHECK(copy.size() == 20);
  CHECK(copy[19] == 19);
}

TEST_CASE("device parsing") {
  CHECK(parse_device("cpu").is_cpu());
  CHECK(parse_device("cuda:1").index == 1);
  CHECK(parse_device("cuda:1").str() == "cuda:1");
  CHECK_THROWS_AS(parse_device("tpu"), RuntimeError);
  CHECK_THROWS_AS(empty({2}, DType::Float32, parse_device("cuda")), RuntimeError);
}

TEST_CASE("views, copies and version counters") {
  Tensor a = arange(Scalar(int64_t(0)), Scalar(int64_t(6)), Scalar(int64_t(1)));
  CHECK(a.dtype() == DType::Int64);
  Tensor m = a.as_strided({2, 3}, {3, 1}, 0);
  Tensor t = m.as_strided({3, 2}, {1, 3}, 0);  // transpose
  CHECK_FALSE(t.is_contiguous());
  Tensor c = contiguous(t);
  CHECK(c.is_contiguous());
  CHECK(c.data<int64_t>()[1] == 3);
  Tensor rev = a.as_strided({6}, {-1}, 5);  // negative stride view
  CHECK(item(rev.as_strided({}, {}, 5)).to_int64() == 5);
  Tensor rc = clone(rev);
  CHECK(rc.data<int64_t>()[0] == 5);
  CHECK(rc.data<int64_t>()[5] == 0);
  uint32_t v0 = a.version();
  fill_(m, Scalar(int64_t(7)));
  CHECK(a.version() == v0 + 1);  // shared by the view
  CHECK(a.detach().version_counter() == a.version_counter());
  CHECK(a.data_alias().version_counter() != a.version_counter());
  CHECK_THROWS_AS(a.as_strided({7}, {1}, 0), RuntimeError);  // out of bounds
  CHECK_THROWS_AS(a.as_strided({6}, {-1}, 0), RuntimeError);
}

TEST_CASE("factories") {
  Tensor l = linspace(Scalar(0.0), Scalar(1.0), 5);
  CHECK(l.data<float>()[1] == 0.25f);
  CHECK(l.data<float>()[4] == 1.0f);
  Tensor e = eye(3, 2, DType::Float64);
  CHECK(e.data<double>()[0] == 1.0);
  CHECK(e.data<double>()[3] == 1.0);
  CHECK(e.data<double>()[4] == 0.0);
  Tensor f = full({2, 2}, Scalar(true));
  CHECK(f.dtype() == DType::Bool);
  CHECK(arange(Scalar(0.0), Scalar(1.0), Scalar(0.1)).numel() == 10);
  CHECK_THROWS_AS(arange(Scalar(int64_t(0)), Scalar(int64_t(5)), Scalar(int64_t(0))), RuntimeError);
  CHECK_THROWS_AS(zeros({-1}), RuntimeError);
  Tensor h = to_dtype(l, DType::Float16);
  CHECK(float(h.data<Half>()[1]) == 0.25f);
  CHECK_THROWS_AS(item(l), RuntimeError);
}

TEST_CASE("resize_ for out= arguments") {
  Tensor t = zeros({2, 2});
  void* before = t.data_ptr();
  resize_(t, {3});
  CHECK(t.shape() == Shape{3});
  CHECK(t.data_ptr() == before);  // shrinking stays in place
  resize_(t, {4, 4});
  CHECK(t.shape() == Shape{4, 4});
  CHECK(t.strides() == Strides{4, 1});
  CHECK(t.storage()->nbytes() >= 64);
  static float borrowed[4];
  Tensor b(Storage::borrow(borrowed, sizeof(borrowed), kCPU, nullptr, nullptr, false), 0, {4}, {1},
           DType::Float32);
  CHECK(b.storage()->owns_memory());  // no owner context: our own memory
  CHECK_THROWS_AS(resize_(b, {-1}), RuntimeError);
}
