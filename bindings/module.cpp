// The extension module tensorbridge._core: calls each binding file's bind function.
#include "bindings.h"

NB_MODULE(_core, m) {
  m.doc() = "tensorbridge's C++ core (use the `tensorbridge` package, which re-exports this)";
  tbpy::bind_errors(m);
  tbpy::bind_dtypes(m);
  tbpy::TensorClass cls = tbpy::bind_tensor_class(m);
  tbpy::bind_interop(m, cls);
  tbpy::bind_creation(m, cls);
  tbpy::bind_ops_elementwise(m, cls);
  tbpy::bind_ops_reduce(m, cls);
  tbpy::bind_ops_shape(m, cls);
  tbpy::bind_ops_index(m, cls);
  tbpy::bind_ops_linalg(m, cls);
  tbpy::bind_autograd(m, cls);
  tbpy::bind_format(m, cls);
  tbpy::bind_random(m, cls);
}
