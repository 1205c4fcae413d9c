// The random engine and samplers against the test vectors of shared/spec/rng.md §10 (torch 2.13
// values where the spec's older vectors differ).
#include <doctest/doctest.h>

#include <bit>
#include <cstring>
#include <random>
#include <vector>

#include "tensorbridge/random/generator.h"
#include "tensorbridge/random/sampling.h"

using namespace tb;

namespace {
template <typename T>
std::vector<T> values(const Tensor& t) {
  Tensor c = contiguous(t);
  return std::vector<T>(c.data<T>(), c.data<T>() + c.numel());
}
std::vector<uint32_t> bits(const Tensor& t) {
  std::vector<uint32_t> out;
  for (float f : values<float>(t)) out.push_back(std::bit_cast<uint32_t>(f));
  return out;
}
struct CapabilityGuard {
  explicit CapabilityGuard(rng::Capability c) { rng::set_capability_override(c); }
  ~CapabilityGuard() { rng::set_capability_override(std::nullopt); }
};
}  // namespace

TEST_CASE("mt19937 equals std::mt19937 and keeps torch's left/next bookkeeping") {
  rng::Mt19937 e(0);
  std::mt19937 ref(0);
  CHECK(e() == 2357136044u);
  CHECK(ref() == 2357136044u);
  for (int i = 1; i < 2000; ++i) REQUIRE(e() == ref());
  rng::Mt19937 f(5489);
  CHECK(f() == 3499211612u);
  rng::Mt19937 a(7), b(7 + (uint64_t(1) << 32));
  for (int i = 0; i < 10; ++i) CHECK(a() == b());
  rng::Mt19937 c(0);
  for (int i = 0; i < 12; ++i) c();
  CHECK(c.left() == 613);
  CHECK(c.next() == 12);
  // bulk fill is the same stream
  rng::Mt19937 d(3), d2(3);
  std::vector<uint32_t> buf(1500);
  d.fill(buf.data(), 5);
  d.fill(buf.data() + 5, 1495);
  for (uint32_t w : buf) REQUIRE(w == d2());
  CHECK(d.left() == d2.left());
  CHECK(d.next() == d2.next());
}

TEST_CASE("generator seeding, state layout and round trip") {
  Generator g(0);
  CHECK(g.initial_seed() == 0);
  std::vector<uint8_t> s = g.get_state();
  REQUIRE(s.size() == 5056);
  uint64_t w[4];
  std::memcpy(w, s.data() + 24, sizeof w);
  CHECK(w[0] == 0);
  CHECK(w[1] == 1);
  CHECK(w[2] == 1812433255u);
  CHECK(w[3] == 1900727105u);
  randn(Shape{5}, DType::Float32, &g);
  s = g.get_state();
  int32_t left;
  uint64_t next;
  double cached;
  int32_t valid;
  std::memcpy(&left, s.data() + 8, 4);
  std::memcpy(&next, s.data() + 16, 8);
  std::memcpy(&cached, s.data() + 5024, 8);
  std::memcpy(&valid, s.data() + 5040, 4);
  CHECK(left == 613);
  CHECK(next == 12);
  CHECK(cached == -1.3985953953708767);
  CHECK(valid == 1);
  Generator h;
  CHECK(h.initial_seed() == 67280421310721ull);
  h.set_state(s.data(), s.size());
  CHECK(values<float>(randn(Shape{4}, DType::Float32, &h)) == values<float>(randn(Shape{4}, DType::Float32, &g)));
  CHECK_THROWS_AS(h.set_state(s.data(), 10), RuntimeError);
  s[12] = 0;  // not seeded
  CHECK_THROWS_AS(h.set_state(s.data(), s.size()), RuntimeError);
  Generator m;
  m.manual_seed(uint64_t(-1));
  CHECK(m.initial_seed() == 18446744073709551615ull);
}

TEST_CASE("spec vectors: rand and randn (scalar path)") {
  Generator g(0);
  CHECK(bits(randn(Shape{5}, DType::Float32, &g)) ==
        std::vector<uint32_t>{0x3fc53f5c, 0xbe963c50, 0xc00b7149, 0x3f1184b6, 0xbf8ad1a1});
  g.manual_seed(0);
  CHECK(bits(rand(Shape{5}, DType::Float32, &g)) ==
        std::vector<uint32_t>{0x3efe1558, 0x3f44aa2f, 0x3db533a8, 0x3e073300, 0x3e9d6686});
  g.manual_seed(0);
  CHECK(values<double>(rand(Shape{5}, DType::Float64, &g)) ==
        std::vector<double>{0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603,
                            0.6450241201227648});
  g.manual_seed(0);
  CHECK(values<double>(randn(Shape{5}, DType::Float64, &g)) ==
        std::vector<double>{1.5409961082440433, -0.2934289057609464, -2.1787893820745574, 0.5684312772806678,
                            -1.084522342424021});
  g.manual_seed(42);
  CHECK(values<float>(rand(Shape{3}, DType::Float32, &g)) ==
        std::vector<float>{0.8822692632675171f, 0.9150039553642273f, 0.38286375999450684f});
  g.manual_seed(0);
  auto a = values<float>(randn(Shape{3}, DType::Float32, &g));
  auto b = values<float>(randn(Shape{3}, DType::Float32, &g));
  CHECK(b == std::vector<float>{0.5684312582015991f, -1.0845223665237427f, -1.3985954523086548f});
  g.manual_seed(123456789);  // pins log1p (torch >= 2.0)
  CHECK(values<double>(randn(Shape{3}, DType::Float64, &g)) ==
        std::vector<double>{0.11027837135924266, 2.200769735743272, -0.8969969383847308});
  Generator g2(2147483647);
  CHECK(values<float>(rand(Shape{3}, DType::Float32, &g2)) ==
        std::vector<float>{0.7081288695335388f, 0.3542391061782837f, 0.10543233156204224f});
}

TEST_CASE("spec vectors: randn blocks of 16, AVX2 and default variants, tail redraw") {
  Generator g(0);
  const std::vector<uint32_t> avx2{0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f594515, 0x3f312783,
                                   0xbea1cc6d, 0xc0075fc1, 0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3bb,
                                   0x3df56f77, 0x3f9e6b93, 0x3f8ef28e, 0xbe7d367c};
  const std::vector<uint32_t> dflt{0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255e, 0x3f594515, 0x3f312784,
                                   0xbea1cc6d, 0xc0075fc2, 0x3ea50138, 0xbfa1b4f4, 0x3eb330ff, 0x3e9dc3ba,
                                   0x3df56f77, 0x3f9e6b93, 0x3f8ef28e, 0xbe7d365a};
  if (rng::capability() == rng::Capability::Avx2) {
    CHECK(bits(randn(Shape{16}, DType::Float32, &g)) == avx2);
    g.manual_seed(0);
    auto v = values<float>(randn(Shape{17}, DType::Float32, &g));
    CHECK(v[0] == -1.1258398294448853f);
    CHECK(v[1] == -1.6959311962127686f);
    CHECK(v[16] == 0.9318265914916992f);
  }
  {
    CapabilityGuard cg(rng::Capability::Default);
    g.manual_seed(0);
    CHECK(bits(randn(Shape{16}, DType::Float32, &g)) == dflt);
  }
  g.manual_seed(0);
  auto d = values<double>(randn(Shape{16}, DType::Float64, &g));
  CHECK(d[0] == -2.310411800234176);
  CHECK(d[15] == 0.3380174030507378);
  // Non-contiguous output: scalar path in memory order.
  g.manual_seed(0);
  Tensor b = empty(Shape{5, 8}, DType::Float32);
  Tensor bt = b.as_strided(Shape{8, 5}, Strides{1, 8}, 0);
  normal_(bt, 0.0, 1.0, &g);
  auto m = values<float>(b);
  CHECK(m[0] == 1.5409960746765137f);
  CHECK(m[5] == -1.3985954523086548f);
}

TEST_CASE("spec vectors: integers and permutations") {
  Generator g(0);
  CHECK(values<int64_t>(randint(0, 10, Shape{8}, DType::Int64, &g)) == std::vector<int64_t>{4, 9, 3, 0, 3, 9, 7, 3});
  g.manual_seed(0);
  CHECK(values<int64_t>(randint(-5, 5, Shape{10}, DType::Int64, &g)) ==
        std::vector<int64_t>{-1, 4, -2, -5, -2, 4, 2, -2, 2, -2});
  g.manual_seed(0);
  CHECK(values<int64_t>(randint(0, int64_t(1) << 33, Shape{3}, DType::Int64, &g)) ==
        std::vector<int64_t>{2546248239, 7921061056, 7979815675});
  g.manual_seed(0);
  CHECK(values<int64_t>(randperm(10, DType::Int64, &g)) == std::vector<int64_t>{4, 1, 7, 5, 3, 9, 0, 8, 6, 2});
  g.manual_seed(123);
  CHECK(values<int64_t>(randperm(20, DType::Int64, &g)) ==
        std::vector<int64_t>{2, 9, 14, 15, 16, 7, 8, 5, 19, 0, 11, 18, 10, 17, 12, 6, 1, 13, 3, 4});
  g.manual_seed(0);
  Tensor i64 = empty(Shape{4}, DType::Int64);
  random_(i64, &g);
  CHECK(values<int64_t>(i64) ==
        std::vector<int64_t>{900450186894289455, 3969543146641149120, 1895649597198586619, 827948490035658087});
  g.manual_seed(0);
  Tensor i32 = empty(Shape{4}, DType::Int32);
  random_(i32, &g);
  CHECK(values<int32_t>(i32) == std::vector<int32_t>{209652396, 398764591, 924231285, 1478610112});
  CHECK_THROWS_AS(randint(5, 5, Shape{3}, DType::Int64, &g), RuntimeError);
  CHECK_THROWS_AS(randint(0, 300, Shape{3}, DType::UInt8, &g), RuntimeError);
}

TEST_CASE("spec vectors: other samplers") {
  Generator g(0);
  Tensor t = empty(Shape{5}, DType::Float32);
  normal_(t, 2.0, 3.0, &g);
  CHECK(values<float>(t) == std::vector<float>{6.622988224029541f, 1.119713306427002f, -4.536368370056152f,
                                               3.705293893814087f, -1.2535669803619385f});
  if (rng::capability() == rng::Capability::Avx2) {
    g.manual_seed(0);
    Tensor u = empty(Shape{6}, DType::Float32);
    uniform_(u, -0.333, 0.1428, &g);
    CHECK(bits(u) == std::vector<uint32_t>{0xbdc6699b, 0x3d05339f, 0xbe94f12a, 0xbe8a5505, 0xbe3f35af, 0xbd003a0d});
  }
  g.manual_seed(0);
  Tensor bern = empty(Shape{10}, DType::Float32);
  bernoulli_(bern, 0.5, &g);
  CHECK(values<float>(bern) == std::vector<float>{0, 0, 1, 0, 0, 0, 1, 1, 0, 1});
  g.manual_seed(0);
  Tensor p = empty(Shape{10}, DType::Float32);
  for (int i = 0; i < 10; ++i) p.data<float>()[i] = 0.5f;
  CHECK(values<float>(bernoulli(p, &g)) == std::vector<float>{1, 0, 1, 1, 1, 0, 1, 0, 1, 0});
  g.manual_seed(0);
  Tensor e = empty(Shape{4}, DType::Float32);
  exponential_(e, 1.0, &g);
  CHECK(values<float>(e) == std::vector<float>{3.508326292037964f, 1.2303847074508667f, 0.615044116973877f,
                                               2.535118579864502f});
  g.manual_seed(0);
  Tensor c = empty(Shape{5}, DType::Float32);
  cauchy_(c, 0.0, 1.0, &g);
  CHECK(values<float>(c)[0] == 10.597729682922363f);
  g.manual_seed(0);
  Tensor ln = empty(Shape{5}, DType::Float32);
  log_normal_(ln, 1.0, 2.0, &g);
  CHECK(values<float>(ln)[0] == 59.2634162902832f);
  g.manual_seed(0);
  Tensor ge = empty(Shape{10}, DType::Float32);
  geometric_(ge, 0.3, &g);
  CHECK(values<float>(ge) == std::vector<float>{1, 1, 3, 1, 2, 1, 5, 3, 2, 4});
  g.manual_seed(0);
  Tensor probs = empty(Shape{4}, DType::Float32);
  float pv[4] = {.1f, .2f, .3f, .4f};
  std::memcpy(probs.data_ptr(), pv, sizeof pv);
  CHECK(values<int64_t>(multinomial(probs, 4, false, &g)) == std::vector<int64_t>{2, 1, 3, 0});
  CHECK_THROWS_AS(normal_(t, 0.0, -1.0, &g), RuntimeError);
}
