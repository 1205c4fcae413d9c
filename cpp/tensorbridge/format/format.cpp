// Printing, following PyTorch's torch/_tensor_str.py behaviour (facts from shared/spec/printing.md,
// checked against torch 2.13). See Note [Printing pipeline].
#include "tensorbridge/format/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <complex>
#include <limits>
#include <ostream>
#include <type_traits>
#include <vector>

#include "tensorbridge/convert.h"

namespace tb {

PrintOptions& print_options() {
  static PrintOptions opts;
  return opts;
}

void apply_print_profile(PrintOptions& o, std::string_view profile) {
  // torch's three profiles: {precision, threshold, edgeitems, linewidth}; sci_mode is not touched.
  if (profile == "default") {
    o.precision = 4, o.threshold = 1000, o.edgeitems = 3, o.linewidth = 80;
  } else if (profile == "short") {
    o.precision = 2, o.threshold = 1000, o.edgeitems = 2, o.linewidth = 80;
  } else if (profile == "full") {
    o.precision = 4, o.threshold = std::numeric_limits<int64_t>::max(), o.edgeitems = 3,
    o.linewidth = 80;
  }
}

namespace {

// Note [Printing pipeline]
// 1. gather: copy the visible elements (all of them, or when summarizing the first/last `edgeitems`
//    slices of every dimension longer than 2*edgeitems) in row-major order into a flat vector of
//    one canonical type (bool, int64, uint64, double, complex<double>). Nothing else is read.
// 2. format: as torch's _Formatter, choose the notation from those values, then turn every value
//    into text exactly once; the column width is the longest text (floats: of the non-zero finite
//    values only).
// 3. render: walk the same summarized index structure, consuming the texts in the same order.

// The default floating dtype (torch.get_default_dtype()); no set_default_dtype exists yet.
DType default_float_dtype() { return kDefaultFloat; }

// Texts of n elements in one buffer (no per-element allocation): element i is [ends[i-1], ends[i]).
struct Column {
  std::string buf;
  std::vector<uint32_t> ends;
  int64_t width = 1;  // torch's max_width, starts at 1

  void push(const char* b, const char* e) {
    buf.append(b, e);
    ends.push_back(uint32_t(buf.size()));
  }
  std::string_view at(size_t i) const {
    size_t lo = i ? ends[i - 1] : 0;
    return std::string_view(buf.data() + lo, ends[i] - lo);
  }
};

// ---- 2. format ---------------------------------------------------------------------------------

void format_bools(const std::vector<bool>& v, Column& col) {
  col.ends.reserve(v.size());
  col.buf.reserve(v.size() * 5);
  for (bool b : v) {
    std::string_view s = b ? "True" : "False";
    col.push(s.data(), s.data() + s.size());
    col.width = std::max<int64_t>(col.width, int64_t(s.size()));
  }
}

template <typename I>
void format_ints(const std::vector<I>& v, Column& col) {
  char tmp[24];
  col.ends.reserve(v.size());
  col.buf.reserve(v.size() * 4);
  for (I x : v) {
    char* e = std::to_chars(tmp, tmp + sizeof(tmp), x).ptr;
    col.push(tmp, e);
    col.width = std::max<int64_t>(col.width, int64_t(e - tmp));
  }
}

enum class RealMode { Int, Fixed, Sci };  // torch: int_mode ("1."), fixed ("1.5000"), sci_mode

// torch's _Formatter for a floating dtype over n doubles at stride `step` (2 for one half of a
// complex array). Statistics use only finite non-zero values; comparisons are strict.
void format_reals(const double* v, size_t n, size_t step, const PrintOptions& o, Column& col) {
  bool any = false, int_mode = true;
  double amin = std::numeric_limits<double>::infinity(), amax = 0;
  for (size_t i = 0; i < n; ++i) {
    double x = v[i * step];
    if (!std::isfinite(x) || x == 0) continue;
    any = true;
    double a = std::fabs(x);
    amin = std::min(amin, a);
    amax = std::max(amax, a);
    if (int_mode && x != std::ceil(x)) int_mode = false;
  }
  // Nothing to measure (all zero / nan / inf): int mode, width 1, before sci_mode is consulted.
  RealMode mode = RealMode::Int;
  if (any) {
    bool sci = o.sci_mode ? *o.sci_mode : (amax / amin > 1000.0 || amax > 1.0e8 || amin < 1.0e-4);
    mode = sci ? RealMode::Sci : int_mode ? RealMode::Int : RealMode::Fixed;
  }
  const int prec = mode == RealMode::Int ? 0 : o.precision;
  if (prec < 0) throw ValueError("Format specifier missing precision");  // Python's format text
  const auto fmt = mode == RealMode::Sci ? std::chars_format::scientific : std::chars_format::fixed;
  // Longest fixed text: sign + 309 integer digits + point + prec digits.
  std::vector<char> tmp(size_t(prec) + 320);
  char* const b = tmp.data();
  char* const end = b + tmp.size();
  col.ends.reserve(n);
  col.buf.reserve(n * size_t(prec + 4));
  for (size_t i = 0; i < n; ++i) {
    double x = v[i * step];
    char* e;
    if (std::isnan(x)) {  // never "-nan"
      e = std::copy_n("nan", 3, b);
    } else if (std::isinf(x)) {
      e = x > 0 ? std::copy_n("inf", 3, b) : std::copy_n("-inf", 4, b);
    } else {
      e = std::to_chars(b, end, x, fmt, prec).ptr;
      if (mode == RealMode::Int) *e++ = '.';
      if (x != 0) col.width = std::max<int64_t>(col.width, int64_t(e - b));
    }
    col.push(b, e);
  }
}

// ---- 1. gather ---------------------------------------------------------------------------------

template <typename T>
auto canonical(const T& x) {
  if constexpr (is_complex_v<T>) return std::complex<double>(x.real(), x.imag());
  else if constexpr (is_half_like_v<T>) return double(float(x));
  else if constexpr (std::is_same_v<T, bool>) return x;
  else if constexpr (std::is_floating_point_v<T>) return double(x);
  else if constexpr (std::is_signed_v<T>) return int64_t(x);
  else return uint64_t(x);
}

// The summarized index structure shared by gather and render.
struct Layout {
  const Shape& shape;
  bool summarize;
  int64_t edge;
  // torch: dimension n is cut to its first/last `edge` items iff summarizing and n > 2*edge.
  bool cut(int64_t n) const { return summarize && n - edge > edge; }
};

template <typename T, typename V>
void gather(const Layout& L, const Strides& strides, const T* base, size_t d, std::vector<V>& out) {
  if (d == L.shape.size()) {
    out.push_back(canonical(*base));
    return;
  }
  const int64_t n = L.shape[d], st = strides[d];
  auto span = [&](int64_t lo, int64_t hi) {
    if (d + 1 == L.shape.size()) {  // innermost: no recursion per element
      for (int64_t i = lo; i < hi; ++i) out.push_back(canonical(base[i * st]));
    } else {
      for (int64_t i = lo; i < hi; ++i) gather(L, strides, base + i * st, d + 1, out);
    }
  };
  if (L.cut(n)) {
    span(0, L.edge);
    span(n - L.edge, n);
  } else {
    span(0, n);
  }
}

// ---- 3. render ---------------------------------------------------------------------------------

struct Renderer {
  const Layout& L;
  int64_t linewidth;
  const Column& re;
  const Column* im;  // imaginary parts of a complex tensor, else null
  std::string& out;
  size_t cursor = 0;

  static void pad(std::string& s, int64_t n) {
    if (n > 0) s.append(size_t(n), ' ');
  }

  void element() {
    std::string_view r = re.at(cursor);
    pad(out, re.width - int64_t(r.size()));
    out += r;
    if (im) {  // imaginary text unpadded, '+' unless it has a sign, then 'j'
      std::string_view s = im->at(cursor);
      if (s[0] != '+' && s[0] != '-') out += '+';
      out += s;
      out += 'j';
    }
    ++cursor;
  }

  void vector(int64_t indent) {
    const int64_t n = L.shape.back();
    const bool cut = L.cut(n);
    const int64_t items = cut ? 2 * L.edge + 1 : n;
    const int64_t elem_len = im ? re.width + 2 + im->width + 1 : re.width + 2;
    // max(1, floor((W - indent) / elem_len)); truncation differs from floor only below 1.
    const int64_t room =  // W - indent, without overflow for absurd negative linewidths
        linewidth < std::numeric_limits<int64_t>::min() + indent ? -1 : linewidth - indent;
    const int64_t per_line = std::max<int64_t>(1, room / elem_len);
    out += '[';
    for (int64_t k = 0; k < items; ++k) {
      if (k > 0) {
        if (k % per_line == 0) {
          out += ",\n";
          pad(out, indent + 1);
        } else {
          out += ", ";
        }
      }
      if (cut && k == L.edge) out += " ...";  // counts as one item, never padded
      else element();
    }
    out += ']';
  }

  void block(size_t d, int64_t indent) {
    const size_t ndim = L.shape.size();
    if (d + 1 == ndim) return vector(indent);
    const int64_t n = L.shape[d];
    const bool cut = L.cut(n);
    const int64_t items = cut ? 2 * L.edge + 1 : n;
    out += '[';
    for (int64_t k = 0; k < items; ++k) {
      if (k > 0) {  // "," + (dim - 1) newlines + indent + 1 spaces
        out += ',';
        out.append(ndim - d - 1, '\n');
        pad(out, indent + 1);
      }
      if (cut && k == L.edge) out += "...";
      else block(d + 1, indent + 1);
    }
    out += ']';
  }
};

template <typename V, typename T>
void append_body_typed(std::string& out, const Tensor& t, const Layout& L, int64_t indent,
                       const PrintOptions& o) {
  std::vector<V> vals;
  int64_t count = 1;
  for (int64_t n : L.shape) count *= L.cut(n) ? 2 * L.edge : n;
  vals.reserve(size_t(count));
  gather(L, t.strides(), t.template data<T>(), 0, vals);

  Column re, im;
  bool complex = false;
  if constexpr (std::is_same_v<V, bool>) {
    format_bools(vals, re);
  } else if constexpr (std::is_integral_v<V>) {
    format_ints(vals, re);
  } else if constexpr (std::is_same_v<V, double>) {
    format_reals(vals.data(), vals.size(), 1, o, re);
  } else {
    // std::complex<double> is layout-compatible with double[2]: reals at even, imags at odd slots.
    const double* p = reinterpret_cast<const double*>(vals.data());
    format_reals(p, vals.size(), 2, o, re);
    format_reals(p + 1, vals.size(), 2, o, im);
    complex = true;
  }
  out.reserve(out.size() + re.buf.size() + im.buf.size() +
              vals.size() * size_t(std::max<int64_t>(re.width, 1) + 4) + 64);
  Renderer r{L, o.linewidth, re, complex ? &im : nullptr, out};
  if (L.shape.empty()) r.element();
  else r.block(0, indent);
}

// torch's _tensor_str for a non-empty tensor: the nested-bracket body.
void append_body(std::string& out, const Tensor& t, int64_t indent, const PrintOptions& o) {
  const bool summarize = t.numel() > o.threshold;
  if (summarize && o.edgeitems < 0)
    throw ValueError("print options: edgeitems must be non-negative, got " +
                     std::to_string(o.edgeitems));
  if (summarize && o.edgeitems == 0 && t.dim() > 0) {  // torch 2.x: nothing shown
    out += "[...]";
    return;
  }
  Layout L{t.shape(), summarize, o.edgeitems};
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    using V = decltype(canonical(std::declval<T>()));
    append_body_typed<V, T>(out, t, L, indent, o);
  });
}

std::string size_tuple(const Shape& shape) {  // Python's str(tuple(shape))
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ',';
  return s + ")";
}

// A suffix and the length torch's wrapping rule measures for it. See Note [Layout as torch's].
struct Suffix {
  std::string text;
  int64_t measured;
};

// Note [Layout as torch's]
// tensorbridge spells dtypes `tensorbridge.float64` where torch writes `torch.float64`
// (7 characters shorter). The wrap decision for suffixes measures the dtype suffix as torch
// spells it, so the layout (which suffix goes on which line) is always torch's; a line may then
// end up to 7 characters beyond linewidth where torch's just fits.
constexpr std::string_view kDtypePrefix = "tensorbridge.";
constexpr int64_t kDtypePrefixExtra = int64_t(kDtypePrefix.size()) - int64_t(sizeof("torch.") - 1);

// torch's _add_suffixes. `last` starts 2 too large (torch measures the last line that way).
void add_suffixes(std::string& s, const std::vector<Suffix>& suffixes, int64_t indent,
                  int64_t linewidth) {
  const size_t nl = s.rfind('\n');
  int64_t last = nl == std::string::npos ? int64_t(s.size()) + 2 : int64_t(s.size() - nl) + 1;
  for (const Suffix& x : suffixes) {
    if (last + x.measured + 2 > linewidth) {
      s += ",\n";
      s.append(size_t(indent), ' ');
      last = indent + x.measured;
    } else {
      s += ", ";
      last += x.measured + 2;
    }
    s += x.text;
  }
  s += ')';
}

}  // namespace

std::string repr(const Tensor& t, std::string_view grad_fn_name, std::string_view prefix) {
  if (!t.defined()) return "[ Tensor (undefined) ]";  // as libtorch's operator<<
  const PrintOptions& o = print_options();
  std::string s;
  s.reserve(256);
  s += prefix;
  s += '(';
  const int64_t indent = int64_t(s.size());
  std::vector<Suffix> suffixes;
  auto add = [&](std::string text, int64_t extra = 0) {
    const int64_t measured = int64_t(text.size()) - extra;
    suffixes.push_back({std::move(text), measured});
  };
  if (!t.device().is_cpu()) {  // cpu is the only default device
    Device d = t.device();
    if (d.index < 0) d.index = 0;
    add("device='" + d.str() + "'");
  }
  const DType dt = t.dtype();
  const DType def = default_float_dtype();
  const std::string dtype_suffix =
      "dtype=" + std::string(kDtypePrefix) + std::string(dtype_name(dt));
  if (t.numel() == 0) {
    s += "[]";
    if (t.dim() != 1) add("size=" + size_tuple(t.shape()));
    if (dt != def) add(dtype_suffix, kDtypePrefixExtra);  // int64/bool/complex are shown when empty
  } else {
    if (o.edgeitems == 0) add("size=" + size_tuple(t.shape()));
    const DType def_complex = def == DType::Float64 ? DType::Complex128 : DType::Complex64;
    if (dt != def && dt != def_complex && dt != DType::Int64 && dt != DType::Bool)
      add(dtype_suffix, kDtypePrefixExtra);
    append_body(s, t, indent, o);
  }
  if (!grad_fn_name.empty()) add("grad_fn=<" + std::string(grad_fn_name) + ">");
  else if (t.requires_grad()) add("requires_grad=True");
  add_suffixes(s, suffixes, indent, o.linewidth);
  return s;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << repr(t); }

}  // namespace tb
