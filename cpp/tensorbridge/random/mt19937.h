// MT19937 (Matsumoto & Nishimura 1998) with PyTorch's CPU bookkeeping (`left`, `next`), so that its
// state can be exported and imported in torch's byte layout (see generator.cpp, Note [RNG state]).
// Streams are identical to std::mt19937 seeded with the same 32-bit value.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tb::rng {

class Mt19937 {
 public:
  static constexpr int kN = 624;
  static constexpr int kM = 397;
  static constexpr uint32_t kMatrixA = 0x9908B0DFu;
  static constexpr uint32_t kUpper = 0x80000000u;
  static constexpr uint32_t kLower = 0x7FFFFFFFu;

  explicit Mt19937(uint64_t seed = 5489) { seed_engine(seed); }

  // Only the low 32 bits of the seed reach the engine (torch: seeds 7 and 2^32+7 are one stream).
  void seed_engine(uint64_t seed) {
    state_[0] = uint32_t(seed & 0xFFFFFFFFu);
    for (int j = 1; j < kN; ++j)
      state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + uint32_t(j);
    left_ = 1;  // invariant after seeding: the first draw regenerates the block
    next_ = 0;
  }

  // One tempered 32-bit word: left -= 1; regenerate when it reaches 0; take state[next++].
  uint32_t operator()() {
    if (--left_ == 0) {
      twist();
      left_ = kN;
      next_ = 0;
    }
    return temper(state_[next_++]);
  }
  // Two words, the first one is the high half (torch's random64).
  uint64_t random64() {
    uint64_t hi = (*this)();
    uint64_t lo = (*this)();
    return (hi << 32) | lo;
  }

  // n words into out, same sequence as n calls of operator() (bulk, vectorisable).
  void fill(uint32_t* out, size_t n) {
    while (n > 0) {
      int64_t avail = int64_t(left_) - 1;  // draws possible before the next regeneration
      if (avail > int64_t(kN) - int64_t(next_)) avail = int64_t(kN) - int64_t(next_);
      if (avail <= 0) {
        *out++ = (*this)();
        --n;
        continue;
      }
      size_t k = size_t(avail) < n ? size_t(avail) : n;
      const uint32_t* s = state_ + next_;
      for (size_t i = 0; i < k; ++i) out[i] = temper(s[i]);
      out += k;
      n -= k;
      next_ += uint64_t(k);
      left_ -= int32_t(k);
    }
  }

  static uint32_t temper(uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
  }

  // Raw access for state import/export (generator.cpp validates).
  uint32_t* state() { return state_; }
  const uint32_t* state() const { return state_; }
  int32_t left() const { return left_; }
  uint64_t next() const { return next_; }
  void set_position(int32_t left, uint64_t next) {
    left_ = left;
    next_ = next;
  }

 private:
  static uint32_t mix(uint32_t a, uint32_t b, uint32_t m) {
    uint32_t y = (a & kUpper) | (b & kLower);
    return m ^ (y >> 1) ^ ((b & 1u) ? kMatrixA : 0u);
  }
  void twist() {
    int k = 0;
    for (; k < kN - kM; ++k) state_[k] = mix(state_[k], state_[k + 1], state_[k + kM]);
    for (; k < kN - 1; ++k) state_[k] = mix(state_[k], state_[k + 1], state_[k + kM - kN]);
    state_[kN - 1] = mix(state_[kN - 1], state_[0], state_[kM - 1]);
  }

  uint32_t state_[kN];
  int32_t left_ = 1;
  uint64_t next_ = 0;
};

}  // namespace tb::rng
