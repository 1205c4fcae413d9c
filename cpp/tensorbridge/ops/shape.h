// Shape operations that produce new tensors (copies): cat, stack, flip, roll, repeat, tile.
#pragma once
#include <vector>

#include "tensorbridge/tensor.h"

namespace tb {

// Inputs are promoted to a common dtype (torch.cat's rule); 1-D empty tensors are skipped.
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor flip(const Tensor& t, const DimVector& dims);
// Empty dims: roll the flattened tensor and restore the shape.
Tensor roll(const Tensor& t, const DimVector& shifts, const DimVector& dims);
Tensor repeat(const Tensor& t, const Shape& repeats);
Tensor tile(const Tensor& t, const Shape& reps);

}  // namespace tb
