// tb::Generator: PyTorch's CPU generator (MT19937 + the Box–Muller caches), bit-identical streams
// and an exchangeable 5056-byte state (Note [RNG state] in generator.cpp).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "tensorbridge/device.h"
#include "tensorbridge/random/mt19937.h"
#include "tensorbridge/tensor.h"

namespace tb {

class Generator {
 public:
  // torch's default_rng_seed_val: a fresh torch.Generator() starts from this seed.
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;
  static constexpr size_t kStateSize = 5056;

  explicit Generator(uint64_t seed = kDefaultSeed) { manual_seed(seed); }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Full 64-bit seed is remembered (initial_seed); only the low 32 bits seed the engine.
  // Clears both normal caches.
  Generator& manual_seed(uint64_t seed);
  // Seeds from a non-deterministic source and returns that seed (torch.seed()).
  uint64_t seed();
  uint64_t initial_seed() const;
  Device device() const { return kCPU; }

  // torch's CPUGeneratorImplState byte layout (little-endian), 5056 bytes.
  std::vector<uint8_t> get_state() const;
  // Validates like torch (size, seeded flag, 0 < left <= 624, next <= 624); RuntimeError otherwise.
  void set_state(const uint8_t* bytes, size_t nbytes);

  // ---- drawing: callers hold mutex() for a whole sampler call (torch holds the generator lock) ----
  std::mutex& mutex() const { return mutex_; }
  rng::Mt19937& engine() { return engine_; }
  uint32_t random() { return engine_(); }
  uint64_t random64() { return engine_.random64(); }
  // The double Box–Muller cache (the only one CPU kernels use) and the serialised float cache.
  std::optional<double>& next_double_normal() { return next_double_normal_; }
  std::optional<float>& next_float_normal() { return next_float_normal_; }

 private:
  rng::Mt19937 engine_;
  uint64_t seed_ = kDefaultSeed;
  std::optional<double> next_double_normal_;
  std::optional<float> next_float_normal_;
  mutable std::mutex mutex_;
};

// The process-wide CPU generator (torch.default_generator); seeded non-deterministically at start.
Generator& default_generator();
// g itself, or the default generator for nullptr.
inline Generator& resolve_generator(Generator* g) { return g ? *g : default_generator(); }

// Module-level helpers acting on the default generator (torch.manual_seed etc.).
void manual_seed(uint64_t seed);
uint64_t seed();
uint64_t initial_seed();
// A new uint8 tensor of 5056 bytes, torch's layout.
Tensor get_rng_state(Generator* g = nullptr);
// Accepts a uint8 tensor (any layout) of 5056 bytes; TypeError for other dtypes like torch.
void set_rng_state(const Tensor& state, Generator* g = nullptr);

namespace rng {
// Which kernel variant torch would run on this CPU: the AVX2 kernels (x86-64 with AVX2 and FMA;
// also chosen on AVX-512 CPUs) or the DEFAULT ones. Honours ATEN_CPU_CAPABILITY=default like torch.
enum class Capability { Default, Avx2 };
Capability capability();
// Tests only: force a variant (nullopt restores detection). Asking for Avx2 on a CPU without it
// is ignored.
void set_capability_override(std::optional<Capability> c);
}  // namespace rng

}  // namespace tb
