// Random sampling, bit-identical to PyTorch's CPU kernels for the same generator state
// (spec: shared/spec/rng.md; docs/random.md lists the build-dependent choices).
// Every function takes an optional Generator (nullptr = the default generator).
#pragma once
#include <optional>

#include "tensorbridge/random/generator.h"
#include "tensorbridge/tensor.h"

namespace tb {

// ---- in-place samplers (tensor methods in Python); each bumps t's version ---------------------
void uniform_(const Tensor& t, double from = 0.0, double to = 1.0, Generator* g = nullptr);
void normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator* g = nullptr);
// random_(): [0, 2^mantissa] for floats, [0, max] for integers (torch's table).
void random_(const Tensor& t, Generator* g = nullptr);
// random_(from, to): [from, to); to = nullopt means up to the dtype's limit (inclusive).
void random_(const Tensor& t, int64_t from, std::optional<int64_t> to, Generator* g = nullptr);
void exponential_(const Tensor& t, double lambd = 1.0, Generator* g = nullptr);
void geometric_(const Tensor& t, double p, Generator* g = nullptr);
void cauchy_(const Tensor& t, double median = 0.0, double sigma = 1.0, Generator* g = nullptr);
void log_normal_(const Tensor& t, double mean = 1.0, double std = 2.0, Generator* g = nullptr);
void bernoulli_(const Tensor& t, double p = 0.5, Generator* g = nullptr);
// p is broadcast to t's shape.
void bernoulli_(const Tensor& t, const Tensor& p, Generator* g = nullptr);

// ---- factories ---------------------------------------------------------------------------------
Tensor rand(const Shape& shape, DType dtype = kDefaultFloat, Generator* g = nullptr);
Tensor randn(const Shape& shape, DType dtype = kDefaultFloat, Generator* g = nullptr);
// [low, high); torch's default dtype int64.
Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype = DType::Int64,
               Generator* g = nullptr);
Tensor randperm(int64_t n, DType dtype = DType::Int64, Generator* g = nullptr);
// randperm into an existing 1-D tensor of n elements (out=).
void randperm_out(const Tensor& out, int64_t n, Generator* g = nullptr);

// *_like: input's shape (and its strides when input is dense, torch's preserve_format, which
// decides the draw order and the normal path), dtype defaults to input's.
Tensor empty_like_preserve(const Tensor& input, DType dtype);
Tensor rand_like(const Tensor& input, std::optional<DType> dtype = std::nullopt, Generator* g = nullptr);
Tensor randn_like(const Tensor& input, std::optional<DType> dtype = std::nullopt, Generator* g = nullptr);
Tensor randint_like(const Tensor& input, int64_t low, int64_t high, std::optional<DType> dtype = std::nullopt,
                    Generator* g = nullptr);

// ---- functional forms --------------------------------------------------------------------------
// torch.bernoulli(probs): 0/1 with probabilities probs, dtype of probs.
Tensor bernoulli(const Tensor& probs, Generator* g = nullptr);
// torch.bernoulli(input, p): shape and dtype of input, scalar probability p.
Tensor bernoulli(const Tensor& input, double p, Generator* g = nullptr);
// torch.normal overloads. Tensor forms: randn-like draw then `* std + mean` (two roundings).
Tensor normal(const Tensor& mean, const Tensor& std, Generator* g = nullptr);
Tensor normal(const Tensor& mean, double std, Generator* g = nullptr);
Tensor normal(double mean, const Tensor& std, Generator* g = nullptr);
Tensor normal(double mean, double std, const Shape& shape, DType dtype = kDefaultFloat,
              Generator* g = nullptr);
// Same, writing into out (torch's out=; out must already have the result's shape).
void normal_out(const Tensor& out, const Tensor& mean, const Tensor& std, Generator* g = nullptr);
void normal_out(const Tensor& out, const Tensor& mean, double std, Generator* g = nullptr);
void normal_out(const Tensor& out, double mean, const Tensor& std, Generator* g = nullptr);
// Indices sampled from each row of probs (1-D or 2-D), int64.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false,
                   Generator* g = nullptr);

// Name of the C++ element type as torch prints it in range errors ("unsigned char", "c10::Half").
const char* torch_cpp_type_name(DType dt);

}  // namespace tb
