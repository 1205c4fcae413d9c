// Placeholder: replaced by the random work.
#include "bindings.h"

namespace tbpy {
void bind_random(nb::module_&, TensorClass&) {}
}  // namespace tbpy
