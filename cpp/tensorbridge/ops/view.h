// View operations: results share storage and version counter with their input (Tensor::as_strided).
// Argument checks and error texts follow PyTorch.
#pragma once
#include <vector>

#include "tensorbridge/tensor.h"

namespace tb {

// A view of t's data with the given geometry, marked as a view of t's base (Tensor::view_base).
Tensor make_view(const Tensor& t, Shape shape, Strides strides, int64_t offset);

// Resolves one -1 entry of `shape` against numel (torch's infer_size); RuntimeError otherwise.
Shape infer_size(const Shape& shape, int64_t numel);
// Strides that let (old shape, old strides) be viewed as new_shape without a copy, if any
// (torch's computeStride).
bool compute_view_strides(const Shape& old_shape, const Strides& old_strides, const Shape& new_shape,
                          Strides& out);

Tensor view(const Tensor& t, const Shape& shape);
// A view with t's own geometry (torch's alias, what t[...] returns).
Tensor alias(const Tensor& t);
// view(dtype): the same bytes read as another dtype (torch's Tensor.view(dtype)). The same
// itemsize keeps the geometry; otherwise the last dim (stride 1) is rescaled and the other
// strides and the offset are converted, with torch's checks and messages.
Tensor view(const Tensor& t, DType dtype);
// A view when the layout allows it, else a contiguous copy.
Tensor reshape(const Tensor& t, const Shape& shape);
Tensor permute(const Tensor& t, const DimVector& dims);
Tensor transpose(const Tensor& t, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& x);         // <= 2-D transpose
Tensor reverse_dims(const Tensor& x);  // .T (reverses all dims)
Tensor mT(const Tensor& x);        // transpose of the last two dims
Tensor squeeze(const Tensor& t);
Tensor squeeze(const Tensor& t, const DimVector& dims);
Tensor squeeze(const Tensor& t, int64_t dim);  // squeeze(dim=int): torch's SqueezeBackward1 under autograd
Tensor unsqueeze(const Tensor& t, int64_t dim);
// sizes may hold -1 (keep the size); new leading dims get stride 0.
Tensor expand(const Tensor& t, const Shape& sizes);
Tensor flatten(const Tensor& t, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor unflatten(const Tensor& t, int64_t dim, const Shape& sizes);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& t, int64_t dim, int64_t index);
// Python slice [start:stop:step] along dim with already-normalised bounds (PySlice_AdjustIndices):
// `length` elements starting at `start`; step may be negative (a negative-stride view).
Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t length, int64_t step);
std::vector<Tensor> unbind(const Tensor& t, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> split_with_sizes(const Tensor& t, const Shape& sizes, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t dim = 0);

}  // namespace tb
