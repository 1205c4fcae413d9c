// Placeholder: replaced by the format work.
#include "bindings.h"

namespace tbpy {
void bind_format(nb::module_&, TensorClass&) {}
}  // namespace tbpy
