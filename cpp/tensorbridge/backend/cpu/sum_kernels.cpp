// Floating sums (sum, mean, and the 1- and 2-norms) with pairwise accumulation.
//
// float32, float16 and bfloat16 accumulate in float (as torch does), float64 in double. To keep
// the rounding error small in the narrow accumulator, additions form a tree:
//  * a block of up to kBlock elements is added by kLanes independent accumulators (lane k takes
//    elements k, k + kLanes, ...: SIMD registers once vectorised), then the lanes pairwise;
//  * blocks are combined pairwise through a binary counter of partial sums (PairwiseAcc).
// The error then grows with kBlock / kLanes + log2(n) instead of n.
// When the reduced dim is outer to the kept ones (sum(dim=0) of a matrix), whole rows are added
// as vectors across the kept columns, kRowBlock rows at a time, and those block sums are
// combined pairwise in the same way (sum_columns).
// The contiguous inner loops are the TB_CLONES leaves below (baseline and AVX2 variants).
#include "tensorbridge/backend/cpu/sum_kernels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include "tensorbridge/backend/cpu/loops.h"
#include "tensorbridge/backend/cpu/simd.h"
#include "tensorbridge/convert.h"

namespace tb::cpu {

namespace {

// What is summed: x, |x| or x*x (the 1- and 2-norms), applied after conversion to Acc.
struct MapId {
  template <class A> static A f(A v) { return v; }
};
struct MapAbs {
  template <class A> static A f(A v) { return std::fabs(v); }
};
struct MapSquare {
  template <class A> static A f(A v) { return v * v; }
};

// The accumulator of a floating element type.
template <class T>
using SumAcc = std::conditional_t<std::is_same_v<T, double>, double, float>;

// 256 bytes of accumulators: 4 AVX-512 or 8 AVX registers (the lane count, and so the result,
// is the same for every CPU variant).
template <class Acc>
inline constexpr int kLanes = int(256 / sizeof(Acc));
// Elements per block: 16 sequential additions per lane.
template <class Acc>
inline constexpr int64_t kBlock = 32 * kLanes<Acc>;
constexpr int64_t kColumnTile = 1024;  // columns summed together (their partial sums stay in L2)
constexpr int64_t kRowBlock = 16;      // rows added in order before a pairwise combination

template <class Acc, class Map, class T>
TB_ALWAYS_INLINE Acc load(const T* p) {
  return Map::f(Acc(*p));
}

// Sum of n <= kBlock elements p[0], p[s], ..., p[(n-1)s]. Fewer than kLanes: added in order.
template <class Acc, class Map, class T>
TB_ALWAYS_INLINE Acc block_sum_impl(const T* p, int64_t n, int64_t s) {
  constexpr int L = kLanes<Acc>;
  if (n < L) {
    Acc a = 0;
    for (int64_t j = 0; j < n; ++j) a += load<Acc, Map>(p + j * s);
    return a;
  }
  Acc lane[L] = {};
  int64_t j = 0;
  if (s == 1) {  // the vectorised case
    for (; j + L <= n; j += L)
      for (int k = 0; k < L; ++k) lane[k] += load<Acc, Map>(p + j + k);
  } else {
    for (; j + L <= n; j += L)
      for (int k = 0; k < L; ++k) lane[k] += load<Acc, Map>(p + (j + k) * s);
  }
  if (j < n) {  // the last n - j < L elements, to the first lanes (masked loads once vectorised)
    const int64_t left = n - j;
    for (int k = 0; k < L; ++k) lane[k] += k < left ? load<Acc, Map>(p + (j + k) * s) : Acc(0);
  }
  for (int w = L / 2; w > 0; w /= 2)
    for (int k = 0; k < w; ++k) lane[k] += lane[k + w];
  return lane[0];
}

// Partial sums pushed one at a time, combined like a binary counter: after 2^k pushes level k
// holds their balanced pairwise sum.
template <class Acc>
struct PairwiseAcc {
  Acc level[64];
  uint64_t count = 0;
  TB_ALWAYS_INLINE void push(Acc v) {
    int i = 0;
    for (uint64_t c = count; c & 1; c >>= 1, ++i) v = level[i] + v;
    level[i] = v;
    ++count;
  }
  Acc total() const {
    Acc t = 0;
    for (int i = 0; (count >> i) != 0; ++i)
      if ((count >> i) & 1) t = level[i] + t;
    return t;
  }
};

// Sum of a row p[0], p[s], ..., p[(n-1)s]: blocks combined pairwise.
template <class Acc, class Map, class T>
TB_ALWAYS_INLINE Acc row_sum_impl(const T* p, int64_t n, int64_t s) {
  constexpr int64_t B = kBlock<Acc>;
  if (n <= B) return block_sum_impl<Acc, Map>(p, n, s);
  PairwiseAcc<Acc> acc;
  for (int64_t j = 0; j < n; j += B) acc.push(block_sum_impl<Acc, Map>(p + j * s, std::min(B, n - j), s));
  return acc.total();
}

// blk[c] += p[r * rs + c] for r < rows, c < w (contiguous columns), rows in order. Strips of
// kLanes columns are summed over all the rows in registers before blk is touched.
template <class Acc, class Map, class T>
TB_ALWAYS_INLINE void add_rows_impl(Acc* blk, const T* p, int64_t rows, int64_t rs, int64_t w) {
  constexpr int L = kLanes<Acc>;
  int64_t c0 = 0;
  for (; c0 + L <= w; c0 += L) {
    Acc acc[L];
    for (int k = 0; k < L; ++k) acc[k] = blk[c0 + k];
    for (int64_t r = 0; r < rows; ++r) {
      const T* q = p + r * rs + c0;
      for (int k = 0; k < L; ++k) acc[k] += load<Acc, Map>(q + k);
    }
    for (int k = 0; k < L; ++k) blk[c0 + k] = acc[k];
  }
  for (int64_t r = 0; r < rows; ++r) {
    const T* q = p + r * rs;
    for (int64_t c = c0; c < w; ++c) blk[c] += load<Acc, Map>(q + c);
  }
}

// ---- the vectorised leaves: contiguous data, one variant per CPU level -------------------------
// row_sum_contig(p, n, map): row_sum of n contiguous elements. add_rows(blk, p, rows, rs, w, map).
#define TB_SUM_LEAVES(T, Acc, Map)                                                        \
  TB_CLONES Acc row_sum_contig(const T* p, int64_t n, Map) {                              \
    return row_sum_impl<Acc, Map>(p, n, 1);                                               \
  }                                                                                       \
  TB_CLONES void add_rows(Acc* blk, const T* p, int64_t rows, int64_t rs, int64_t w, Map) { \
    add_rows_impl<Acc, Map>(blk, p, rows, rs, w);                                         \
  }
#define TB_SUM_LEAVES_ALL_MAPS(T, Acc) \
  TB_SUM_LEAVES(T, Acc, MapId)         \
  TB_SUM_LEAVES(T, Acc, MapAbs)        \
  TB_SUM_LEAVES(T, Acc, MapSquare)
TB_SUM_LEAVES_ALL_MAPS(float, float)
TB_SUM_LEAVES_ALL_MAPS(double, double)
TB_SUM_LEAVES_ALL_MAPS(BFloat16, float)
#undef TB_SUM_LEAVES_ALL_MAPS
#undef TB_SUM_LEAVES

// float16: converted to float a block at a time (F16C where available), then the float leaves;
// the blocks and their pairwise combination are those of the other types.
template <class Map>
float row_sum_contig(const Half* p, int64_t n, Map m) {
  constexpr int64_t B = kBlock<float>;
  float buf[B];
  PairwiseAcc<float> acc;
  for (int64_t j = 0; j < n; j += B) {
    const int64_t k = std::min(B, n - j);
    half_to_float(p + j, buf, k);
    acc.push(row_sum_contig(static_cast<const float*>(buf), k, m));
  }
  return acc.total();
}
template <class Map>
void add_rows(float* blk, const Half* p, int64_t rows, int64_t rs, int64_t w, Map m) {
  float buf[kColumnTile];
  for (int64_t r = 0; r < rows; ++r) {
    half_to_float(p + r * rs, buf, w);
    add_rows(blk, static_cast<const float*>(buf), 1, 0, w, m);
  }
}

// ---- rows and layouts --------------------------------------------------------------------------

// Sum of a row p[0], p[s], ..., p[(n-1)s].
template <class Acc, class Map, class T>
Acc row_sum(const T* p, int64_t n, int64_t s) {
  if (s == 1) return row_sum_contig(p, n, Map());
  return row_sum_impl<Acc, Map>(p, n, s);
}

// row_sum split among threads when long (chunk partials combined in order).
template <class Acc, class Map, class T>
Acc parallel_row_sum(const T* p, int64_t n, int64_t s) {
  const int64_t chunks = n <= kParallelGrain ? 1 : std::min<int64_t>(num_threads(), n / kParallelGrain);
  if (chunks <= 1) return row_sum<Acc, Map>(p, n, s);
  std::vector<Acc> part(size_t(chunks), Acc(0));
  parallel_for(chunks, 0, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      // chunk boundaries on blocks, so that the blocks are those of the serial sum
      constexpr int64_t B = kBlock<Acc>;
      const int64_t lo = n * c / chunks / B * B;
      const int64_t hi = c + 1 == chunks ? n : n * (c + 1) / chunks / B * B;
      part[size_t(c)] = row_sum<Acc, Map>(p + lo * s, hi - lo, s);
    }
  });
  PairwiseAcc<Acc> acc;
  for (Acc v : part) acc.push(v);
  return acc.total();
}

// Sum of every element. The order of a full sum is free, so the dims are rearranged first
// (negative strides flipped, sorted by stride) to collapse the layout into as few rows as possible.
template <class Acc, class Map, class T>
Acc full_sum(const T* p, const Shape& shape, const Strides& strides) {
  struct Dim {
    int64_t size, stride;
  };
  SmallVector<Dim, 8> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    int64_t st = strides[d];
    if (st < 0) {
      p += (shape[d] - 1) * st;
      st = -st;
    }
    dims.push_back({shape[d], st});
  }
  // largest stride outermost; broadcast (stride 0) dims outside everything
  std::stable_sort(dims.begin(), dims.end(), [](const Dim& a, const Dim& b) {
    const uint64_t ka = a.stride == 0 ? UINT64_MAX : uint64_t(a.stride);
    const uint64_t kb = b.stride == 0 ? UINT64_MAX : uint64_t(b.stride);
    return ka > kb;
  });
  Shape sz;
  Strides st;
  for (const Dim& d : dims) {
    sz.push_back(d.size);
    st.push_back(d.stride);
  }
  const LoopGeometry<1> g = collapse<1>(sz, {&st});
  const size_t nd = g.sizes.size();
  if (nd <= 1) return parallel_row_sum<Acc, Map>(p, g.numel, nd == 0 ? 1 : g.strides[0][0]);

  const int64_t n = g.numel;
  const int64_t chunks = n <= kParallelGrain ? 1 : std::min<int64_t>(num_threads(), n / kParallelGrain);
  std::vector<Acc> part(size_t(chunks), Acc(0));
  parallel_for(chunks, 0, [&](int64_t b, int64_t e) {
    for (int64_t c = b; c < e; ++c) {
      PairwiseAcc<Acc> acc;
      auto row = [&](const std::array<int64_t, 1>& off, int64_t m, const std::array<int64_t, 1>& s) {
        acc.push(row_sum<Acc, Map>(p + off[0], m, s[0]));
      };
      walk_range(g, n * c / chunks, n * (c + 1) / chunks, row);
      part[size_t(c)] = acc.total();
    }
  });
  PairwiseAcc<Acc> acc;
  for (Acc v : part) acc.push(v);
  return acc.total();
}

// a[c * as] = sum over r < rows of p[r * rs + c * cs], for c < m: whole rows are added as vectors
// (across the columns), in blocks of kRowBlock rows combined pairwise.
template <class Acc, class Map, class T>
void sum_columns(const T* p, int64_t rows, int64_t rs, int64_t m, int64_t cs, Acc* a, int64_t as) {
  constexpr int64_t W = kColumnTile;
  const int64_t blocks = (rows + kRowBlock - 1) / kRowBlock;
  const int levels = std::bit_width(uint64_t(blocks)) + 1;
  // level[i]: the pairwise sum of 2^i blocks (a binary counter of vectors, as in PairwiseAcc)
  std::unique_ptr<Acc[]> level(new Acc[size_t(levels * W)]);
  Acc blk[W];
  for (int64_t c0 = 0; c0 < m; c0 += W) {
    const int64_t w = std::min(W, m - c0);
    const T* col = p + c0 * cs;
    uint64_t count = 0;
    for (int64_t r0 = 0; r0 < rows; r0 += kRowBlock) {
      const int64_t nr = std::min(rows - r0, kRowBlock);
      std::fill(blk, blk + w, Acc(0));
      if (cs == 1) {
        add_rows(blk, col + r0 * rs, nr, rs, w, Map());
      } else {
        for (int64_t r = r0; r < r0 + nr; ++r)
          for (int64_t c = 0; c < w; ++c) blk[c] += load<Acc, Map>(col + r * rs + c * cs);
      }
      int i = 0;
      for (uint64_t k = count; k & 1; k >>= 1, ++i) {
        const Acc* l = level.get() + i * W;
        for (int64_t c = 0; c < w; ++c) blk[c] = l[c] + blk[c];
      }
      std::copy(blk, blk + w, level.get() + i * W);
      ++count;
    }
    std::fill(blk, blk + w, Acc(0));
    for (int i = 0; i < levels; ++i) {
      if (!((count >> i) & 1)) continue;
      const Acc* l = level.get() + i * W;
      for (int64_t c = 0; c < w; ++c) blk[c] = l[c] + blk[c];
    }
    for (int64_t c = 0; c < w; ++c) a[(c0 + c) * as] = blk[c];
  }
}

template <class T, class Map>
bool sum_typed(const Tensor& x, const Tensor& out, double divisor) {
  using Acc = SumAcc<T>;
  const T* xp = x.data<T>();
  const int64_t on = out.numel();

  // The dims of x with the strides of the (contiguous) result, 0 along reduced dims.
  const Shape& oshape = out.shape();
  Strides ast = contiguous_strides(oshape);
  for (size_t d = 0; d < oshape.size(); ++d)
    if (oshape[d] == 1) ast[d] = 0;
  LoopGeometry<2> g;
  int reduced = -1;  // the one reduced dim of g (partial reductions)
  if (on > 1) {
    g = collapse<2>(x.shape(), {&ast, &x.strides()});
    for (size_t d = 0; d < g.sizes.size(); ++d) {
      if (g.strides[0][d] != 0) continue;
      if (reduced >= 0) return false;  // several: left to the generic kernel
      reduced = int(d);
    }
    if (reduced < 0) return false;
  }

  std::unique_ptr<Acc[]> tmp;
  Acc* acc;  // the sums, contiguous like out (written in place when out's type is Acc)
  if constexpr (std::is_same_v<T, Acc>) {
    acc = out.data<Acc>();
  } else {
    tmp.reset(new Acc[size_t(on)]);
    acc = tmp.get();
  }

  if (on == 1) {
    acc[0] = full_sum<Acc, Map>(xp, x.shape(), x.strides());
  } else {
    const int64_t rows = g.sizes[size_t(reduced)], rs = g.strides[1][size_t(reduced)];
    Shape kept;
    Strides kept_a, kept_x;
    for (size_t d = 0; d < g.sizes.size(); ++d) {
      if (int(d) == reduced) continue;
      kept.push_back(g.sizes[d]);
      kept_a.push_back(g.strides[0][d]);
      kept_x.push_back(g.strides[1][d]);
    }
    parallel_loop<2>(
        kept, {&kept_a, &kept_x},
        [&](const std::array<int64_t, 2>& off, int64_t m, const std::array<int64_t, 2>& s) {
          Acc* a = acc + off[0];
          const T* q = xp + off[1];
          if (m > 1 && std::abs(s[1]) < std::abs(rs)) {
            sum_columns<Acc, Map>(q, rows, rs, m, s[1], a, s[0]);  // kept elements are the closer ones
          } else {
            for (int64_t j = 0; j < m; ++j) a[j * s[0]] = row_sum<Acc, Map>(q + j * s[1], rows, rs);
          }
        },
        std::max<int64_t>(1, kParallelGrain / rows));
  }

  T* op = out.data<T>();
  if (divisor != 1.0 || !std::is_same_v<T, Acc>) {
    const Acc dv = Acc(divisor);
    for (int64_t i = 0; i < on; ++i) op[i] = T(divisor == 1.0 ? acc[i] : acc[i] / dv);
  }
  return true;
}

template <class Map>
bool sum_dispatch(const Tensor& x, const Tensor& out, double divisor) {
  switch (x.dtype()) {
    case DType::Float32: return sum_typed<float, Map>(x, out, divisor);
    case DType::Float64: return sum_typed<double, Map>(x, out, divisor);
    case DType::Float16: return sum_typed<Half, Map>(x, out, divisor);
    case DType::BFloat16: return sum_typed<BFloat16, Map>(x, out, divisor);
    default: return false;
  }
}

}  // namespace

bool cascade_sum_kernel(const Tensor& x, const Tensor& out, double divisor, SumOf what) {
  if (x.numel() == 0) return false;
  switch (what) {
    case SumOf::Values: return sum_dispatch<MapId>(x, out, divisor);
    case SumOf::Abs: return sum_dispatch<MapAbs>(x, out, divisor);
    case SumOf::Squares: return sum_dispatch<MapSquare>(x, out, divisor);
  }
  return false;
}

}  // namespace tb::cpu
