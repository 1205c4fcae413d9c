// Shape and stride helpers. Strides are in elements and signed; dimension 0 is outermost.
#pragma once
#include <cstdint>
#include <string>

#include "tensorbridge/small_vector.h"

namespace tb {

using DimVector = SmallVector<int64_t, 6>;
using Shape = DimVector;
using Strides = DimVector;

// Product of sizes; throws RuntimeError on overflow.
int64_t numel_of(const Shape& shape);
// Row-major (C order) strides for shape; size-1 and size-0 dims get the stride they would have.
Strides contiguous_strides(const Shape& shape);
// True when (shape, strides) address elements in row-major order without gaps
// (dims of size 1 may have any stride; a tensor with a zero-size dim is contiguous).
bool is_contiguous(const Shape& shape, const Strides& strides);
// Wraps a possibly negative dim into [0, ndim); IndexError like torch otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim);
// Broadcast two shapes (numpy/torch rules); RuntimeError with torch's message otherwise.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// "[2, 3]" as torch prints a size list.
std::string shape_str(const Shape& shape);
// Validates sizes for a factory (no negatives): RuntimeError as torch.
void check_sizes_nonnegative(const Shape& shape);

}  // namespace tb
