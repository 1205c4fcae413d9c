// Views, shape ops, indexing and matrix products of the core (no Python).
#include <doctest/doctest.h>

#include <numeric>
#include <vector>

#include "tensorbridge/ops.h"
#include "tensorbridge/tensor.h"

using namespace tb;

namespace {
// 0, 1, 2, ... as int64 in the given shape.
Tensor iota(const Shape& shape) {
  Tensor t = empty(shape, DType::Int64);
  std::iota(t.data<int64_t>(), t.data<int64_t>() + t.numel(), int64_t(0));
  return t;
}
std::vector<int64_t> values(const Tensor& t) {
  Tensor c = contiguous(to_dtype(t, DType::Int64));
  return std::vector<int64_t>(c.data<int64_t>(), c.data<int64_t>() + c.numel());
}
Tensor from(const std::vector<int64_t>& v) {
  Tensor t = empty({int64_t(v.size())}, DType::Int64);
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}
}  // namespace

TEST_CASE("view shares storage and version counter; incompatible strides throw") {
  Tensor x = iota({2, 3});
  Tensor v = view(x, {3, -1});
  CHECK(v.shape() == Shape{3, 2});
  CHECK(v.storage() == x.storage());
  CHECK(v.version_counter() == x.version_counter());
  CHECK_THROWS_AS(view(t(x), {6}), RuntimeError);
  CHECK_THROWS_AS(view(x, {4, -1}), RuntimeError);
  CHECK_THROWS_AS(view(x, {-1, -1}), RuntimeError);
  Tensor r = reshape(t(x), {6});  // needs a copy
  CHECK(values(r) == std::vector<int64_t>{0, 3, 1, 4, 2, 5});
  CHECK(r.storage() != x.storage());
}

TEST_CASE("view strides follow torch's computeStride") {
  Tensor x = permute(iota({2, 3, 4}), {1, 0, 2});  // strides (4, 12, 1)
  Tensor v = view(x, {3, 2, 2, 2});
  CHECK(v.strides() == Strides{4, 12, 2, 1});
  CHECK_THROWS_AS(view(x, {6, 4}), RuntimeError);
}

TEST_CASE("permute, transpose, squeeze, unsqueeze, expand, narrow, select, slice") {
  Tensor x = iota({2, 3, 4});
  CHECK(permute(x, {2, 0, 1}).strides() == Strides{1, 12, 4});
  CHECK_THROWS_AS(permute(x, {0, 0, 1}), RuntimeError);
  CHECK(transpose(x, 0, -1).shape() == Shape{4, 3, 2});
  CHECK(squeeze(unsqueeze(x, 1)).shape() == x.shape());
  CHECK(unsqueeze(x, -1).shape() == Shape{2, 3, 4, 1});
  Tensor e = expand(from({1, 2}), {3, 2});
  CHECK(e.strides() == Strides{0, 1});
  CHECK_THROWS_AS(expand(from({1, 2}), {3, 3}), RuntimeError);
  CHECK(values(narrow(x, 2, 1, 2)) == values(slice(x, 2, 1, 2, 1)));
  CHECK_THROWS_AS(narrow(x, 2, 3, 2), RuntimeError);
  CHECK(values(select(x, 1, -1)) == std::vector<int64_t>{8, 9, 10, 11, 20, 21, 22, 23});
  CHECK_THROWS_AS(select(x, 1, 3), IndexError);
  Tensor rev = slice(from({0, 1, 2, 3, 4}), 0, 4, 3, -2);  // [4:..:-2] -> 4, 2, 0
  CHECK(values(rev) == std::vector<int64_t>{4, 2, 0});
  CHECK(rev.strides() == Strides{-2});
}

TEST_CASE("split, chunk, unbind") {
  Tensor x = iota({5});
  CHECK(split(x, 2).size() == 3);
  CHECK(chunk(x, 3).size() == 3);
  CHECK(values(chunk(x, 3)[2]) == std::vector<int64_t>{4});
  CHECK(split_with_sizes(x, {1, 4})[1].numel() == 4);
  CHECK_THROWS_AS(split_with_sizes(x, {1, 1}), RuntimeError);
  CHECK(unbind(iota({2, 2}), 1).size() == 2);
}

TEST_CASE("cat promotes and stack adds a dim") {
  Tensor a = iota({2});
  Tensor b = full({1}, Scalar(0.5), DType::Float32);
  Tensor c = cat({a, b});
  CHECK(c.dtype() == DType::Float32);
  CHECK(c.shape() == Shape{3});
  CHECK(stack({a, a}, 1).shape() == Shape{2, 2});
  CHECK_THROWS_AS(cat({}), ValueError);
  CHECK_THROWS_AS(stack({a, b}), RuntimeError);
}

TEST_CASE("flip, roll, repeat, tile") {
  Tensor x = iota({2, 3});
  CHECK(values(flip(x, {1})) == std::vector<int64_t>{2, 1, 0, 5, 4, 3});
  CHECK(values(roll(x, {1}, {})) == std::vector<int64_t>{5, 0, 1, 2, 3, 4});
  CHECK(values(roll(x, {-1}, {1})) == std::vector<int64_t>{1, 2, 0, 4, 5, 3});
  CHECK(values(repeat(from({1, 2}), {2, 2})) == std::vector<int64_t>{1, 2, 1, 2, 1, 2, 1, 2});
  CHECK(tile(x, {2}).shape() == Shape{2, 6});
}

TEST_CASE("advanced indexing follows torch's placement rule") {
  Tensor x = iota({2, 3, 4});
  // adjacent advanced indices stay in place: x[:, [0, 2], [1, 3]] -> [2, 2]
  Tensor r = index(x, {Tensor(), from({0, 2}), from({1, 3})});
  CHECK(r.shape() == Shape{2, 2});
  CHECK(values(r) == std::vector<int64_t>{1, 11, 13, 23});
  // separated ones go first: x[[0, 1], :, [0, 1]] -> [2, 3]
  Tensor s = index(x, {from({0, 1}), Tensor(), from({0, 1})});
  CHECK(s.shape() == Shape{2, 3});
  CHECK_THROWS_AS(index(x, {from({2})}), IndexError);
  Tensor mask = to_dtype(from({1, 0}), DType::Bool);
  CHECK(index(x, {mask}).shape() == Shape{1, 3, 4});
}

TEST_CASE("index_put_, masked_fill_, scatter_, gather, nonzero, take") {
  Tensor x = zeros({4}, DType::Int64);
  index_put_(x, {from({1, 3})}, from({7, 9}));
  CHECK(values(x) == std::vector<int64_t>{0, 7, 0, 9});
  CHECK(x.version() > 0);
  masked_fill_(x, to_dtype(from({1, 0, 0, 0}), DType::Bool), Scalar(int64_t(5)));
  CHECK(values(x) == std::vector<int64_t>{5, 7, 0, 9});
  CHECK(values(nonzero(x)) == std::vector<int64_t>{0, 1, 3});
  CHECK(values(take(iota({2, 2}), from({3, -4}))) == std::vector<int64_t>{3, 0});
  CHECK(values(gather(iota({2, 2}), 1, view(from({1, 1, 0, 0}), {2, 2}))) ==
        std::vector<int64_t>{1, 1, 2, 2});
  Tensor y = zeros({3}, DType::Int64);
  scatter_(y, 0, from({2}), from({4}));
  CHECK(values(y) == std::vector<int64_t>{0, 0, 4});
  CHECK_THROWS_AS(gather(iota({2}), 0, from({-1})), RuntimeError);
}

TEST_CASE("matmul through the BLAS seam and the integer loop") {
  Tensor a = to_dtype(iota({2, 3}), DType::Float32);
  Tensor b = to_dtype(iota({3, 2}), DType::Float32);
  Tensor c = mm(a, b);  // [[10, 13], [28, 40]]
  CHECK(values(c) == std::vector<int64_t>{10, 13, 28, 40});
  CHECK(values(mm(iota({2, 3}), iota({3, 2}))) == std::vector<int64_t>{10, 13, 28, 40});
  CHECK(values(matmul(t(b), t(a))) == std::vector<int64_t>{10, 28, 13, 40});  // transposed operands
  CHECK(matmul(to_dtype(iota({4, 1, 2, 3}), DType::Float64), to_dtype(iota({5, 3, 2}), DType::Float64)).shape() ==
        Shape{4, 5, 2, 2});
  CHECK(dot(from({1, 2}), from({3, 4})).dim() == 0);
  CHECK(values(mv(iota({2, 2}), from({1, 1}))) == std::vector<int64_t>{1, 5});
  CHECK(values(outer(from({1, 2}), from({3}))) == std::vector<int64_t>{3, 6});
  CHECK_THROWS_AS(mm(a, a), RuntimeError);
  CHECK_THROWS_AS(matmul(a, to_dtype(b, DType::Float64)), RuntimeError);
  CHECK_THROWS_AS(mm(to_dtype(a, DType::Bool), to_dtype(b, DType::Bool)), NotImplementedError);
}

TEST_CASE("transposed copy matches the element-wise definition") {
  Tensor x = iota({37, 70});
  Tensor y = clone(t(to_dtype(x, DType::Float32)));
  CHECK(y.is_contiguous());
  CHECK(values(y) == values(contiguous(t(x))));
  for (int64_t i = 0; i < 70; i += 13)
    for (int64_t j = 0; j < 37; j += 5) CHECK(y.data<float>()[i * 37 + j] == float(i + j * 70));
}
