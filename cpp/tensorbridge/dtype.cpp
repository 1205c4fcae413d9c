#include "tensorbridge/dtype.h"

#include <array>
#include <string>

namespace tb {

namespace {
struct DTypeInfo {
  size_t size;
  std::string_view name;
  std::string_view legacy;
  int category;
};
constexpr std::array<DTypeInfo, kNumDTypes> kInfo = {{
#define TB_INFO(E, T, N, L, C) {sizeof(T), N, L, C},
    TB_FORALL_DTYPES(TB_INFO)
#undef TB_INFO
}};
const DTypeInfo& info(DType dt) { return kInfo[static_cast<size_t>(dt)]; }
}  // namespace

size_t itemsize(DType dt) { return info(dt).size; }
std::string_view dtype_name(DType dt) { return info(dt).name; }
std::string_view dtype_legacy_name(DType dt) { return info(dt).legacy; }
bool is_floating_point(DType dt) { return info(dt).category == 2; }
bool is_complex(DType dt) { return info(dt).category == 3; }
bool is_integral(DType dt, bool include_bool) {
  return info(dt).category == 1 || (include_bool && dt == DType::Bool);
}
bool is_signed(DType dt) {
  switch (dt) {
    case DType::Bool:
    case DType::UInt8:
    case DType::UInt16:
    case DType::UInt32:
    case DType::UInt64:
      return false;
    default:
      return true;
  }
}

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (kInfo[i].name == name) return static_cast<DType>(i);
  throw TypeError("unknown dtype name: " + std::string(name));
}

DType to_complex(DType dt) {
  switch (dt) {
    case DType::Float16:  // torch maps Half -> ComplexHalf, which tensorbridge does not have
    case DType::Float32: return DType::Complex64;
    case DType::Float64: return DType::Complex128;
    case DType::Complex64:
    case DType::Complex128: return dt;
    default: throw TypeError("to_complex is only supported for floating point dtypes, got " +
                             std::string(dtype_name(dt)));
  }
}

DType to_real(DType dt) {
  switch (dt) {
    case DType::Complex64: return DType::Float32;
    case DType::Complex128: return DType::Float64;
    default: return dt;
  }
}

// Note [Promotion table]
// Source: c10/core/ScalarType.cpp (promoteTypes), PyTorch 2.x, restricted to our 15 dtypes.
// Rule: the smallest type that can represent both; bf16 with f16 -> f32; uint16/32/64 promote
// only with themselves and floating types (torch raises otherwise: `ud`). Checked against
// torch.promote_types 2.13 for all 225 pairs.
// Rows/columns in enum order: b1 u1 i1 i2 i4 i8 u2 u4 u8 f2 bf f4 f8 c4 c8
namespace {
constexpr DType b1 = DType::Bool, u1 = DType::UInt8, i1 = DType::Int8, i2 = DType::Int16,
                i4 = DType::Int32, i8 = DType::Int64, u2 = DType::UInt16, u4 = DType::UInt32,
                u8 = DType::UInt64, f2 = DType::Float16, bf = DType::BFloat16, f4 = DType::Float32,
                f8 = DType::Float64, c4 = DType::Complex64, c8 = DType::Complex128;
// ud: undefined in torch (promote_types raises "Promotion for uint16, uint32, uint64 types is not
// supported, attempted to promote X and Y")
constexpr DType ud = static_cast<DType>(255);
constexpr DType kPromote[kNumDTypes][kNumDTypes] = {
    /*        b1  u1  i1  i2  i4  i8  u2  u4  u8  f2  bf  f4  f8  c4  c8 */
    /* b1 */ {b1, u1, i1, i2, i4, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* u1 */ {u1, u1, i2, i2, i4, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* i1 */ {i1, i2, i1, i2, i4, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* i2 */ {i2, i2, i2, i2, i4, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* i4 */ {i4, i4, i4, i4, i4, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* i8 */ {i8, i8, i8, i8, i8, i8, ud, ud, ud, f2, bf, f4, f8, c4, c8},
    /* u2 */ {ud, ud, ud, ud, ud, ud, u2, ud, ud, f2, bf, f4, f8, ud, ud},
    /* u4 */ {ud, ud, ud, ud, ud, ud, ud, u4, ud, f2, bf, f4, f8, ud, ud},
    /* u8 */ {ud, ud, ud, ud, ud, ud, ud, ud, u8, f2, bf, f4, f8, ud, ud},
    /* f2 */ {f2, f2, f2, f2, f2, f2, f2, f2, f2, f2, f4, f4, f8, c4, c8},
    /* bf */ {bf, bf, bf, bf, bf, bf, bf, bf, bf, f4, bf, f4, f8, c4, c8},
    /* f4 */ {f4, f4, f4, f4, f4, f4, f4, f4, f4, f4, f4, f4, f8, c4, c8},
    /* f8 */ {f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, f8, c8, c8},
    /* c4 */ {c4, c4, c4, c4, c4, c4, ud, ud, ud, c4, c4, c4, c8, c4, c8},
    /* c8 */ {c8, c8, c8, c8, c8, c8, ud, ud, ud, c8, c8, c8, c8, c8, c8},
};
}  // namespace

DType promote_types(DType a, DType b) {
  DType r = kPromote[static_cast<size_t>(a)][static_cast<size_t>(b)];
  if (r == ud)
    throw RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to "
                    "promote " + std::string(dtype_legacy_name(a)) + " and " +
                    std::string(dtype_legacy_name(b)));
  return r;
}

}  // namespace tb
