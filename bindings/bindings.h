// One bind function per binding file; module.cpp calls them in order.
#pragma once
#include "common.h"

namespace tbpy {
void bind_errors(nb::module_& m);
void bind_dtypes(nb::module_& m);            // dtype_py.cpp: dtype objects, device, Size hookup
TensorClass bind_tensor_class(nb::module_& m);  // tensor_py.cpp: the class and its basic methods
void bind_interop(nb::module_& m, TensorClass& cls);    // interop/: from_numpy, numpy(), protocols
void bind_creation(nb::module_& m, TensorClass& cls);   // creation_py.cpp: tensor(), zeros(), ...
void bind_format(nb::module_& m, TensorClass& cls);     // format_py.cpp: repr, print options
void bind_random(nb::module_& m, TensorClass& cls);     // random_py.cpp: generators, samplers
void bind_ops_shape(nb::module_& m, TensorClass& cls);   // ops_shape_py.cpp: views, shape ops, to()
void bind_ops_index(nb::module_& m, TensorClass& cls);   // ops_index_py.cpp: t[...], gather, scatter
void bind_ops_linalg(nb::module_& m, TensorClass& cls);  // ops_linalg_py.cpp: matmul, mm, @
void bind_ops_elementwise(nb::module_& m, TensorClass& cls);  // ops_elementwise_py.cpp: + - * / ..., exp, where
void bind_ops_reduce(nb::module_& m, TensorClass& cls);       // ops_reduce_py.cpp: sum, mean, max, softmax ...
void bind_autograd(nb::module_& m, TensorClass& cls);         // autograd_py.cpp: grad_fn, backward, hooks, modes
}  // namespace tbpy
