// Complex helpers: conj, real, imag. torch's conj() is a lazy view (the conjugate bit); tensorbridge
// computes it as a copy. real() / imag() are views of the complex memory, as torch's (writing them
// writes the complex tensor), except while autograd records them (the input requires grad, grad
// mode on): then they are copies with torch's gradients.
#pragma once
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/tensor.h"

namespace tb {

// The complex conjugate (a copy); a non-complex tensor is returned as it is (as torch's conj).
// Differentiable (ConjBackward0).
Tensor conj(const Tensor& t);
// A new tensor for complex input (torch.conj_physical), the input itself for a real one;
// differentiable (ConjPhysicalBackward0).
Tensor conj_physical(const Tensor& t);
// The real / imaginary parts of a complex tensor: real views sharing memory and version counter,
// or, while autograd records, new tensors (SelectBackward0, the name of torch's node). real() of a
// real tensor is the tensor itself; imag() of one raises torch's RuntimeError.
Tensor real(const Tensor& t);
Tensor imag(const Tensor& t);
// conj of a scalar operand (a tensor operand goes through conj()).
Operand conj(const Operand& o);

}  // namespace tb
