// Blocked transpose copy (see transpose.h).
// Note [blocked transpose]: dst[b, i, j] = src[b*sb + i + j*ld] (the source is contiguous down
// each dst column). Walking dst row by row would read src with stride ld and miss cache on every
// element; walking tiles of kTile x kTile keeps both the tile's src columns and dst rows in L1.
#include "tensorbridge/backend/cpu/transpose.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace tb::cpu {

namespace {

constexpr int64_t kTile = 64;
constexpr int64_t kMinParallel = 1 << 16;  // elements; below this one thread is faster

// One tile with 4x4 register transposes (4-byte items, SSE2 is baseline on x86-64).
template <typename T>
inline bool tile4x4(T* dst, const T* src, int64_t cols, int64_t ld, int64_t ib, int64_t ie, int64_t jb,
                    int64_t je) {
#if defined(__SSE2__)
  if constexpr (sizeof(T) == 4) {
    if ((ie - ib) % 4 || (je - jb) % 4) return false;
    for (int64_t i = ib; i < ie; i += 4)
      for (int64_t j = jb; j < je; j += 4) {
        const float* s = reinterpret_cast<const float*>(src) + i + j * ld;
        __m128 r0 = _mm_loadu_ps(s), r1 = _mm_loadu_ps(s + ld), r2 = _mm_loadu_ps(s + 2 * ld),
               r3 = _mm_loadu_ps(s + 3 * ld);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        float* d = reinterpret_cast<float*>(dst) + i * cols + j;
        _mm_storeu_ps(d, r0);
        _mm_storeu_ps(d + cols, r1);
        _mm_storeu_ps(d + 2 * cols, r2);
        _mm_storeu_ps(d + 3 * cols, r3);
      }
    return true;
  }
#endif
  return false;
}

template <typename T>
void transpose_rows(T* dst, const T* src, int64_t rows, int64_t cols, int64_t ld, int64_t r0, int64_t r1) {
  for (int64_t ib = r0; ib < r1; ib += kTile) {
    const int64_t ie = std::min(ib + kTile, r1);
    for (int64_t jb = 0; jb < cols; jb += kTile) {
      const int64_t je = std::min(jb + kTile, cols);
      if (tile4x4<T>(dst, src, cols, ld, ib, ie, jb, je)) continue;
      for (int64_t i = ib; i < ie; ++i) {
        T* d = dst + i * cols;
        const T* s = src + i;
        for (int64_t j = jb; j < je; ++j) d[j] = s[j * ld];
      }
    }
  }
}

template <size_t N>
struct Bytes {
  unsigned char b[N];
};

template <typename F>
void with_item_type(size_t itemsize, F&& f) {
  switch (itemsize) {
    case 1: return f.template operator()<uint8_t>();
    case 2: return f.template operator()<uint16_t>();
    case 4: return f.template operator()<uint32_t>();
    case 8: return f.template operator()<uint64_t>();
    default: return f.template operator()<Bytes<16>>();
  }
}

// Runs f(begin, end) over [0, n) split into contiguous chunks on up to hardware_concurrency threads.
template <typename F>
void parallel_rows(int64_t n, int64_t work, F&& f) {
  int64_t nt = std::max<int64_t>(1, int64_t(std::thread::hardware_concurrency()));
  nt = std::min<int64_t>(nt, std::max<int64_t>(1, work / kMinParallel));
  nt = std::min<int64_t>(nt, std::max<int64_t>(1, n / kTile));
  if (nt <= 1) {
    f(int64_t(0), n);
    return;
  }
  // chunk boundaries on tile multiples
  int64_t per = ((n + nt - 1) / nt + kTile - 1) / kTile * kTile;
  std::vector<std::thread> threads;
  for (int64_t t = 1; t < nt && t * per < n; ++t)
    threads.emplace_back([&, t] { f(t * per, std::min(n, (t + 1) * per)); });
  f(int64_t(0), std::min(n, per));
  for (auto& th : threads) th.join();
}

}  // namespace

bool try_transpose_copy(const Tensor& dst, const Tensor& src) {
  if (src.dtype() != dst.dtype() || src.shape() != dst.shape() || !dst.is_contiguous()) return false;
  // Merge dims that are contiguous in both (dst is contiguous, so src decides); drop size-1 dims.
  Shape sz;
  Strides st;
  for (int64_t d = 0; d < src.dim(); ++d) {
    int64_t n = src.shape()[size_t(d)], s = src.strides()[size_t(d)];
    if (n == 1) continue;
    if (!sz.empty() && st.back() == s * n) {
      sz.back() *= n;
      st.back() = s;
    } else {
      sz.push_back(n);
      st.push_back(s);
    }
  }
  const size_t nd = sz.size();
  if (nd != 2 && nd != 3) return false;
  const int64_t rows = sz[nd - 2], cols = sz[nd - 1], ld = st[nd - 1];
  if (st[nd - 2] != 1 || ld < rows || rows < 8 || cols < 8) return false;
  const int64_t batch = nd == 3 ? sz[0] : 1, bstride = nd == 3 ? st[0] : 0;
  if (nd == 3 && bstride < 0) return false;
  const size_t isz = src.itemsize();
  with_item_type(isz, [&]<typename T>() {
    T* d = static_cast<T*>(dst.data_ptr());
    const T* s = static_cast<const T*>(src.data_ptr());
    for (int64_t b = 0; b < batch; ++b) {
      T* db = d + b * rows * cols;
      const T* sb = s + b * bstride;
      parallel_rows(rows, rows * cols, [&](int64_t r0, int64_t r1) {
        transpose_rows<T>(db, sb, rows, cols, ld, r0, r1);
      });
    }
  });
  return true;
}

}  // namespace tb::cpu
