#include "tensorbridge/random/generator.h"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "tensorbridge/error.h"

namespace tb {

// Note [RNG state]
// torch's CPUGeneratorImplState, little-endian x86-64 layout (5056 bytes):
//   0 u64 seed | 8 i32 left | 12 i32 seeded | 16 u64 next | 24 u64[624] state words (zero-extended)
//   5016 f64 legacy normal_x (0) | 5024 f64 cached double normal | 5032 f64 legacy rho (0)
//   5040 i32 double-cache-valid | 5044 pad | 5048 f32 cached float normal | 5052 u8 float-valid | pad
namespace {
constexpr size_t kOffSeed = 0, kOffLeft = 8, kOffSeeded = 12, kOffNext = 16, kOffWords = 24;
constexpr size_t kOffNormalY = 5024, kOffDoubleValid = 5040, kOffFloat = 5048, kOffFloatValid = 5052;
static_assert(kOffWords + 8 * rng::Mt19937::kN == 5016);

template <typename T>
void put(uint8_t* p, size_t off, T v) {
  std::memcpy(p + off, &v, sizeof(T));
}
template <typename T>
T get(const uint8_t* p, size_t off) {
  T v;
  std::memcpy(&v, p + off, sizeof(T));
  return v;
}

uint64_t nondeterministic_seed() {
  std::random_device rd;
  uint64_t s = (uint64_t(rd()) << 32) | rd();
  s ^= uint64_t(std::chrono::high_resolution_clock::now().time_since_epoch().count());
  return s;
}
}  // namespace

Generator& Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  next_double_normal_.reset();
  next_float_normal_.reset();
  seed_ = seed;
  engine_.seed_engine(seed);
  return *this;
}

uint64_t Generator::seed() {
  uint64_t s = nondeterministic_seed();
  manual_seed(s);
  return s;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seed_;
}

std::vector<uint8_t> Generator::get_state() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint8_t> b(kStateSize, 0);
  uint8_t* p = b.data();
  put<uint64_t>(p, kOffSeed, seed_);
  put<int32_t>(p, kOffLeft, engine_.left());
  put<int32_t>(p, kOffSeeded, 1);
  put<uint64_t>(p, kOffNext, engine_.next());
  for (int i = 0; i < rng::Mt19937::kN; ++i)
    put<uint64_t>(p, kOffWords + 8 * size_t(i), uint64_t(engine_.state()[i]));
  put<double>(p, kOffNormalY, next_double_normal_.value_or(0.0));
  put<int32_t>(p, kOffDoubleValid, next_double_normal_ ? 1 : 0);
  put<float>(p, kOffFloat, next_float_normal_.value_or(0.0f));
  p[kOffFloatValid] = next_float_normal_ ? 1 : 0;
  return b;
}

void Generator::set_state(const uint8_t* p, size_t nbytes) {
  if (nbytes != kStateSize)
    throw RuntimeError("Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to be " +
                       std::to_string(nbytes));
  const int32_t left = get<int32_t>(p, kOffLeft);
  const int32_t seeded = get<int32_t>(p, kOffSeeded);
  const uint64_t next = get<uint64_t>(p, kOffNext);
  if (!seeded || left <= 0 || left > rng::Mt19937::kN || next > uint64_t(rng::Mt19937::kN))
    throw RuntimeError("Invalid mt19937 state");
  std::lock_guard<std::mutex> lock(mutex_);
  seed_ = get<uint64_t>(p, kOffSeed);
  for (int i = 0; i < rng::Mt19937::kN; ++i)
    engine_.state()[i] = uint32_t(get<uint64_t>(p, kOffWords + 8 * size_t(i)));
  engine_.set_position(left, next);
  if (get<int32_t>(p, kOffDoubleValid)) next_double_normal_ = get<double>(p, kOffNormalY);
  else next_double_normal_.reset();
  if (p[kOffFloatValid]) next_float_normal_ = get<float>(p, kOffFloat);
  else next_float_normal_.reset();
}

Generator& default_generator() {
  static Generator* g = new Generator(nondeterministic_seed());  // never destroyed: usable at exit
  return *g;
}

void manual_seed(uint64_t s) { default_generator().manual_seed(s); }
uint64_t seed() { return default_generator().seed(); }
uint64_t initial_seed() { return default_generator().initial_seed(); }

Tensor get_rng_state(Generator* g) {
  std::vector<uint8_t> b = resolve_generator(g).get_state();
  Tensor t = empty(Shape{int64_t(b.size())}, DType::UInt8);
  std::memcpy(t.data_ptr(), b.data(), b.size());
  return t;
}

void set_rng_state(const Tensor& state, Generator* g) {
  if (state.dtype() != DType::UInt8) throw TypeError("RNG state must be a torch.ByteTensor");
  Tensor c = contiguous(state);
  resolve_generator(g).set_state(c.data<uint8_t>(), size_t(c.numel()));
}

namespace rng {
namespace {
std::atomic<int> g_override{-1};

Capability detect() {
#if defined(__x86_64__) || defined(_M_X64)
  if (const char* env = std::getenv("ATEN_CPU_CAPABILITY")) {
    if (std::string(env) == "default") return Capability::Default;
  }
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Capability::Avx2;
#endif
  return Capability::Default;
}
}  // namespace

Capability capability() {
  static const Capability detected = detect();
  int o = g_override.load(std::memory_order_relaxed);
  if (o == int(Capability::Default)) return Capability::Default;
  return detected;  // an Avx2 override cannot enable what the CPU lacks
}

void set_capability_override(std::optional<Capability> c) {
  g_override.store(c ? int(*c) : -1, std::memory_order_relaxed);
}
}  // namespace rng

}  // namespace tb
