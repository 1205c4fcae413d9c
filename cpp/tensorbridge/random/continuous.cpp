// exponential_, geometric_, cauchy_: one double uniform (two words) per element (spec rng.md §6).
#include <cmath>
#include <sstream>

#include "tensorbridge/error.h"
#include "tensorbridge/random/kernel_util.h"
#include "tensorbridge/random/sampling.h"

namespace tb {

namespace {

std::string fmt_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void check_continuous(const Tensor& t, const char* dist) {
  if (!is_floating_point(t.dtype()))
    throw RuntimeError(std::string(dist) + " distribution is a continuous probability distribution. dtype must "
                       "be a floating point but you specified " + std::string(dtype_legacy_name(t.dtype())));
}

// f(double u) -> double, applied to each element in torch's order with u a 53-bit uniform.
template <typename F>
void per_uniform_double(const Tensor& t, Generator* gp, F&& f) {
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    rng::WordStream ws(g, 2 * t.numel());
    dispatch_dtype(t.dtype(), [&]<typename T>() {
      if constexpr (!is_complex_v<T>)
        rng::for_each_ordered<T>(t, [&](T& x) { x = convert<T>(f(rng::unit_double(ws.next64()))); });
    });
  }
  t.bump_version();
}

}  // namespace

void exponential_(const Tensor& t, double lambd, Generator* gp) {
  rng::check_inplace(t, "exponential_");
  if (!(lambd > 0.0))
    throw RuntimeError("exponential_ expects lambda > 0.0, but found lambda=" + fmt_double(lambd));
  check_continuous(t, "Exponential");
  const double k = -1.0 / lambd;
  per_uniform_double(t, gp, [k](double u) { return k * std::log1p(-u); });
}

void geometric_(const Tensor& t, double p, Generator* gp) {
  rng::check_inplace(t, "geometric_");
  if (!(p > 0.0 && p < 1.0))
    throw RuntimeError("geometric_ expects p to be in (0, 1), but got p=" + fmt_double(p));
  if (is_complex(t.dtype()))
    throw NotImplementedError("\"geometric_cpu\" not implemented for '" +
                              std::string(dtype_legacy_name(t.dtype())) + "'");
  const double d = std::log1p(-p);
  per_uniform_double(t, gp, [d](double u) { return std::ceil(std::log(u) / d); });
}

void cauchy_(const Tensor& t, double median, double sigma, Generator* gp) {
  rng::check_inplace(t, "cauchy_");
  if (!(sigma > 0.0))
    throw RuntimeError("cauchy_ expects sigma > 0.0, but found sigma=" + fmt_double(sigma));
  check_continuous(t, "Cauchy");
  // median + sigma * tan(...) is one FMA in torch's AVX2 build (Note [FMA contraction]).
  if (rng::use_fma())
    per_uniform_double(t, gp, [=](double u) { return rng::mad<true>(sigma, std::tan(M_PI * (u - 0.5)), median); });
  else
    per_uniform_double(t, gp, [=](double u) { return rng::mad<false>(sigma, std::tan(M_PI * (u - 0.5)), median); });
}

}  // namespace tb
