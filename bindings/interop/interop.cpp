// bind_interop: registers every interop area.
#include "bindings.h"
#include "interop/interop.h"

namespace tbpy {

void bind_interop(nb::module_& m, TensorClass& cls) {
  import_numpy_api();
  bind_numpy_bridge(m, cls);
  bind_buffer(m, cls);
  bind_array_protocols(m, cls);
  bind_dlpack(m, cls);
  bind_pickle(m, cls);
  bind_constructors(m, cls);
}

}  // namespace tbpy
