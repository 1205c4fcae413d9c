// Indexing kernels (see index_kernels.h). Elements are moved as opaque items of `itemsize` bytes.
#include "tensorbridge/backend/cpu/index_kernels.h"

#include <cstring>
#include <type_traits>

namespace tb::cpu {

namespace {
template <size_t N>
struct Item {
  unsigned char b[N];
};

// Calls f.template operator()<Item<itemsize>>().
template <typename F>
void dispatch_itemsize(size_t itemsize, F&& f) {
  switch (itemsize) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    default: return f.template operator()<Item<16>>();
  }
}
}  // namespace

std::vector<int64_t> element_offsets(const Shape& shape, const Strides& strides) {
  int64_t n = numel_of(shape);
  std::vector<int64_t> out(size_t(std::max<int64_t>(n, 0)));
  if (n == 0) return out;
  const size_t nd = shape.size();
  SmallVector<int64_t, 6> idx(nd, 0);
  int64_t off = 0;
  for (int64_t k = 0; k < n; ++k) {
    out[size_t(k)] = off;
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < shape[d]) {
        off += strides[d];
        break;
      }
      off -= strides[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
  return out;
}

void gather3(void* packed, const void* strided, size_t itemsize, const ThreeLevel& g) {
  dispatch_itemsize(itemsize, [&]<typename T>() {
    T* out = static_cast<T*>(packed);
    const T* src = static_cast<const T*>(strided);
    for (int64_t o = 0; o < g.n_outer; ++o) {
      const T* so = src + g.outer[o];
      if (g.n_inner == 1) {
        const T* si = so + g.inner[0];
        for (int64_t m = 0; m < g.n_mid; ++m) *out++ = si[g.mid[m]];
      } else if (g.inner_unit) {
        for (int64_t m = 0; m < g.n_mid; ++m) {
          std::memcpy(out, so + g.mid[m], size_t(g.n_inner) * sizeof(T));
          out += g.n_inner;
        }
      } else {
        for (int64_t m = 0; m < g.n_mid; ++m) {
          const T* sm = so + g.mid[m];
          for (int64_t i = 0; i < g.n_inner; ++i) *out++ = sm[g.inner[i]];
        }
      }
    }
  });
}

void scatter3(void* strided, const void* packed, size_t itemsize, const ThreeLevel& g) {
  dispatch_itemsize(itemsize, [&]<typename T>() {
    T* dst = static_cast<T*>(strided);
    const T* in = static_cast<const T*>(packed);
    for (int64_t o = 0; o < g.n_outer; ++o) {
      T* d_o = dst + g.outer[o];
      if (g.inner_unit) {
        for (int64_t m = 0; m < g.n_mid; ++m) {
          std::memcpy(d_o + g.mid[m], in, size_t(g.n_inner) * sizeof(T));
          in += g.n_inner;
        }
      } else {
        for (int64_t m = 0; m < g.n_mid; ++m) {
          T* dm = d_o + g.mid[m];
          for (int64_t i = 0; i < g.n_inner; ++i) dm[g.inner[i]] = *in++;
        }
      }
    }
  });
}

void scatter3_add(void* strided, const void* packed, DType dtype, const ThreeLevel& g) {
  dispatch_dtype(dtype, [&]<typename T>() {
    T* dst = static_cast<T*>(strided);
    const T* in = static_cast<const T*>(packed);
    for (int64_t o = 0; o < g.n_outer; ++o) {
      T* d_o = dst + g.outer[o];
      for (int64_t m = 0; m < g.n_mid; ++m) {
        T* dm = d_o + g.mid[m];
        for (int64_t i = 0; i < g.n_inner; ++i, ++in) {
          T& d = dm[g.inner_unit ? i : g.inner[i]];
          if constexpr (std::is_same_v<T, bool>) d = d || *in;
          else d = T(d + *in);
        }
      }
    }
  });
}

int64_t count_true(const bool* mask, int64_t n) {
  // bool is one byte holding 0 or 1: sum bytes in 8-byte words.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(mask);
  int64_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    count += int64_t((w * 0x0101010101010101ull) >> 56);
  }
  for (; i < n; ++i) count += p[i];
  return count;
}

void masked_select_blocks(void* out, const void* src, const bool* mask, int64_t n, int64_t block,
                          size_t itemsize) {
  dispatch_itemsize(itemsize, [&]<typename T>() {
    T* o = static_cast<T*>(out);
    const T* s = static_cast<const T*>(src);
    if (block == 1) {
      // Branch-free except at the very end: write unconditionally, advance when the mask is set.
      int64_t p = 0, i = 0;
      int64_t total = count_true(mask, n);
      for (; i < n && p < total - 1; ++i) {
        o[p] = s[i];
        p += mask[i];
      }
      for (; i < n; ++i)
        if (mask[i]) o[p++] = s[i];
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      if (mask[i]) {
        std::memcpy(o, s + i * block, size_t(block) * sizeof(T));
        o += block;
      }
  });
}

void nonzero_coords(int64_t* out, const bool* mask, const Shape& shape) {
  const size_t nd = shape.size();
  int64_t n = numel_of(shape);
  SmallVector<int64_t, 6> idx(nd, 0);
  for (int64_t k = 0; k < n; ++k) {
    if (mask[k]) {
      for (size_t d = 0; d < nd; ++d) *out++ = idx[d];
    }
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace tb::cpu
