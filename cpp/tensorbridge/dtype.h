// DType: the element types of a tensor, generated from ONE X-macro list.
#pragma once
#include <complex>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tensorbridge/error.h"
#include "tensorbridge/half.h"

namespace tb {

using complex64 = std::complex<float>;
using complex128 = std::complex<double>;

// _(Enum, C++ type, name, torch legacy type name, category)
// category: 0 bool, 1 integral, 2 floating, 3 complex  (the promotion "kind", see dtype.cpp)
#define TB_FORALL_DTYPES(_)                              \
  _(Bool, bool, "bool", "Bool", 0)                       \
  _(UInt8, uint8_t, "uint8", "Byte", 1)                  \
  _(Int8, int8_t, "int8", "Char", 1)                     \
  _(Int16, int16_t, "int16", "Short", 1)                 \
  _(Int32, int32_t, "int32", "Int", 1)                   \
  _(Int64, int64_t, "int64", "Long", 1)                  \
  _(UInt16, uint16_t, "uint16", "UInt16", 1)             \
  _(UInt32, uint32_t, "uint32", "UInt32", 1)             \
  _(UInt64, uint64_t, "uint64", "UInt64", 1)             \
  _(Float16, ::tb::Half, "float16", "Half", 2)           \
  _(BFloat16, ::tb::BFloat16, "bfloat16", "BFloat16", 2) \
  _(Float32, float, "float32", "Float", 2)               \
  _(Float64, double, "float64", "Double", 2)             \
  _(Complex64, ::tb::complex64, "complex64", "ComplexFloat", 3) \
  _(Complex128, ::tb::complex128, "complex128", "ComplexDouble", 3)

enum class DType : uint8_t {
#define TB_ENUM(E, T, N, L, C) E,
  TB_FORALL_DTYPES(TB_ENUM)
#undef TB_ENUM
};

inline constexpr int kNumDTypes = 0
#define TB_COUNT(E, T, N, L, C) +1
    TB_FORALL_DTYPES(TB_COUNT)
#undef TB_COUNT
    ;

// C++ type <-> DType
template <typename T>
struct dtype_of;
#define TB_DTYPE_OF(E, T, N, L, C) \
  template <>                      \
  struct dtype_of<T> {             \
    static constexpr DType value = DType::E; \
  };
TB_FORALL_DTYPES(TB_DTYPE_OF)
#undef TB_DTYPE_OF
template <typename T>
inline constexpr DType dtype_v = dtype_of<T>::value;

size_t itemsize(DType dt);
std::string_view dtype_name(DType dt);         // "float32"
std::string_view dtype_legacy_name(DType dt);  // "Float" (as in torch.FloatTensor)
bool is_floating_point(DType dt);              // float16/bfloat16/float32/float64
bool is_complex(DType dt);
bool is_integral(DType dt, bool include_bool);
bool is_signed(DType dt);  // torch: true for signed ints, floats and complex
// Parses "float32" etc.; throws TypeError for unknown names.
DType dtype_from_name(std::string_view name);

// The complex partner of a real floating dtype (float32 -> complex64), and back.
DType to_complex(DType dt);
DType to_real(DType dt);

// PyTorch's promote_types (see the labelled table in dtype.cpp).
DType promote_types(DType a, DType b);

inline constexpr DType kDefaultFloat = DType::Float32;

// Calls f.template operator()<T>() with the C++ type of dt:
//   dispatch_dtype(dt, [&]<typename T>() { ... });
template <typename F>
decltype(auto) dispatch_dtype(DType dt, F&& f) {
  switch (dt) {
#define TB_CASE(E, T, N, L, C) \
  case DType::E:               \
    return f.template operator()<T>();
    TB_FORALL_DTYPES(TB_CASE)
#undef TB_CASE
  }
  throw RuntimeError("tensorbridge internal error: unknown dtype");
}

}  // namespace tb
