// The backward engine: runs the recorded graph from some outputs back to the leaves.
#pragma once
#include <vector>

#include "tensorbridge/autograd/node.h"

namespace tb::autograd {

// torch.autograd.backward: accumulates gradients into the .grad of leaves (or only of `inputs`
// when given). grad_outputs[i] may be undefined for a one-element output (implicitly ones).
void backward(const TensorList& outputs, const TensorList& grad_outputs, bool retain_graph,
              bool create_graph, const TensorList& inputs = {});

// torch.autograd.grad: the gradients of outputs with respect to inputs, returned instead of
// accumulated; an input that does not reach the outputs gives an undefined tensor (allow_unused)
// or an error.
TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                bool retain_graph, bool create_graph, bool allow_unused);

}  // namespace tb::autograd
